package io.gaussrestore.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The jobs being followed: which are due for a poll (and who polls each), what the polls found, what is out. */
public interface JobRecords {

    /**
     * Takes, with a lease, up to {@code limit} submitted jobs that are due for a poll by {@code dueBy} or still have
     * a tracking result to publish. A job leased by another live tracker is never returned.
     */
    List<LedgerEntry> claimDueJobs(Instant now, Instant dueBy, Duration lease, int limit);

    /** Records what a poll found, only while this process holds the job's lease; empty when it lost it. */
    Optional<LedgerEntry> recordTracking(String requestId, TrackingUpdate update, Instant now);

    /** Notes that the tracking result with this id reached the broker. */
    void markTrackingPublished(String requestId, String eventId);

    /** Submitted jobs that have not ended yet. */
    long jobsInFlight();

    /** When the oldest job that has not ended was submitted, if any job is in flight. */
    Optional<Instant> oldestJobSubmittedAt();
}
