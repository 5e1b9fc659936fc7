package io.gaussrestore.ledger;

import java.time.Instant;

/** The first outcome of a claimed request, recorded before its result is published. */
public sealed interface Outcome {

    /** The cloud started a job; it is first polled at {@code firstPollAt}. */
    record Submitted(String jobId, int attempts, Instant at, Instant firstPollAt) implements Outcome {}

    /**
     * Refused or failed for good; the business key is released so that a later request may try again.
     *
     * @param httpStatus null when there was no answer
     */
    record Failed(String errorCode, String message, Integer httpStatus, boolean retryable, int attempts, Instant at)
            implements Outcome {}

    /** Whether a job started cannot be known; the business key stays held. */
    record Unknown(String message, int attempts, Instant at) implements Outcome {}
}
