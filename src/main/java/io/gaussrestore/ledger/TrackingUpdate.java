package io.gaussrestore.ledger;

import java.time.Instant;

/**
 * What one poll of a job found, to be recorded.
 *
 * @param state RUNNING while the job runs, else COMPLETED, FAILED or UNKNOWN
 * @param nextPollAt when to poll again; null once the job has ended
 * @param eventId the id of the result to publish for this change, or null when nothing is to be published
 */
public record TrackingUpdate(
        LedgerState state,
        String jobStatus,
        String progress,
        Instant finishedAt,
        String errorCode,
        String errorMessage,
        Instant nextPollAt,
        String eventId) {}
