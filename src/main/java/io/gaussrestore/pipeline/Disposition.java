package io.gaussrestore.pipeline;

import io.gaussrestore.result.RestoreResult;

/** What became of one record. */
public sealed interface Disposition {

    /** A result was published and acknowledged; the record may be committed. */
    record Answered(RestoreResult result) implements Disposition {}

    /** The record is not a request, or could not be processed; reason and detail become the dead-letter headers. */
    record DeadLetter(String reason, String detail) implements Disposition {}

    /**
     * The record's partition went to another replica before any call to the cloud; the request was given back
     * in the ledger and the new owner of the partition carries on. Neither committed nor dead-lettered here.
     */
    record Abandoned(String requestId) implements Disposition {}
}
