package io.gaussrestore.pipeline;

import io.gaussrestore.result.RestoreResult;

/** What became of one record: it was answered with a durable result, or it belongs on the dead-letter topic. */
public sealed interface Disposition {

    /** A result was published and acknowledged; the record may be committed. */
    record Answered(RestoreResult result) implements Disposition {}

    /** The record is not a request; reason and detail become the dead-letter headers. */
    record DeadLetter(String reason, String detail) implements Disposition {}
}
