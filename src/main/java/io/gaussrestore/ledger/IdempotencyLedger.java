package io.gaussrestore.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Every request the service has seen, and which request holds each business key. Claims are atomic (unique
 * constraints, never read-then-write), so two threads or two replicas cannot both win the same restore.
 */
public interface IdempotencyLedger {

    /** Records a valid request and tries to take its business key. */
    Claim claim(NewRequest request, Instant now);

    /**
     * Retries the business key of a request stored in RECEIVED (its first claim was interrupted), for the record at
     * {@code source}. Only the record the request belongs to (its {@code source}) can win it; any other record is a
     * repeat, answered as such. A record carrying the same request and restore as an unclaimed one takes the
     * request over ({@link #claim} answers it Redelivered), so a replay from the dead-letter topic resumes it.
     */
    Claim resumeClaim(LedgerEntry received, String source, Instant now);

    /**
     * Records a rejected request: Won when new (stored as REJECTED, its first result's publication held for
     * {@code publisher} in the same statement), else Repeated or Redelivered.
     */
    Claim recordRejected(NewRequest request, String errorCode, String violationsJson, String message, Instant now,
            String publisher);

    /**
     * Records a dry run's answer as the request's final state (DRY_RUN); {@code findingsJson} is what the checks
     * found. A request_id seen before answers as {@link #recordRejected} does.
     */
    Claim recordDryRun(NewRequest request, String outcome, String findingsJson, String message, Instant now);

    /**
     * How many requests for an instance were accepted (queued, sent or being sent) since a moment, leaving one
     * request out: the blast-radius count of the restore policy.
     */
    long acceptedSince(String instanceId, Instant since, String excludingRequestId);

    /** The request holding a business key now, if any: a new request for the same restore would be its duplicate. */
    Optional<LedgerEntry> holderOf(String businessKey, Instant now);

    /** Extends the lease of a SUBMITTING request; false when the lease token is no longer the request's. */
    boolean renewLease(String requestId, String leaseToken, Instant until, Instant now);

    /**
     * Gives a SUBMITTING request back (to RECEIVED) when its worker stops before any call to the cloud, so that
     * whoever handles the record next carries on; false when the lease token is no longer the request's.
     */
    boolean relinquish(String requestId, String leaseToken, Instant now);

    /** Records the first outcome of a SUBMITTING request; empty when the lease token is no longer the request's. */
    Optional<LedgerEntry> recordOutcome(String requestId, String leaseToken, Outcome outcome);

    /**
     * What makes the instance busy for a new request: the last request waiting for it, else the request being
     * sent or the job of ours running on it; empty when nothing of ours occupies it.
     *
     * @param jobsCount whether submitted jobs occupy their instance: only when jobs are tracked to their end
     */
    Optional<LedgerEntry> occupant(String instanceId, String requestId, boolean jobsCount);

    /**
     * Puts a SUBMITTING request in its instance's line (QUEUED, behind those already there; a request parked again
     * keeps its place and deadline); empty when the lease token is no longer the request's.
     *
     * @param checkAt when to look at the instance again (it is busy with something not ours), null to wait for
     *     the request ahead
     * @param attempts the POSTs made so far
     */
    Optional<LedgerEntry> park(String requestId, String leaseToken, String waitingFor, Instant checkAt,
            Instant deadline, int attempts, Instant now);

    /**
     * The first waiting request of each instance that may go now, longest waiting first: its instance is not
     * working (as {@link #instanceWorking} says) and its next look at the instance, if it has one, is due. The
     * filters come before the limit, so lines blocked behind long jobs never hide a free instance's head.
     */
    List<LedgerEntry> queueHeads(Instant now, boolean jobsCount, int limit);

    /** Waiting requests, by instance and in line. */
    List<LedgerEntry> queued(String instanceId, int limit);

    /** Whether a request of the instance is being sent or (when {@code jobsCount}) has a job running. */
    boolean instanceWorking(String instanceId, boolean jobsCount);

    /**
     * Takes a waiting request out of the line to send it (compare-and-set: one taker); its new lease. Only the
     * head of its line, only while nothing of its instance is being sent (or, when {@code jobsCount}, has a job
     * running), and only once its QUEUED result is published, so that a request's results go out in order.
     */
    Optional<LedgerEntry> takeFromQueue(String requestId, boolean jobsCount, Instant now);

    /**
     * Puts a request taken from its line back at its place, under no lease (a graceful stop before it was sent):
     * the next queue tick of any replica releases it. False when the lease is no longer this one.
     */
    boolean backInLine(String requestId, String leaseToken, Instant now);

    /** Looks at the busy instance of a waiting request again later. */
    void recheckLater(String requestId, Instant checkAt);

    /** Ends a waiting request (CANCELLED, or FAILED when it waited too long) with an event to publish. */
    Optional<LedgerEntry> leaveQueue(String requestId, LedgerState state, String errorCode, String message, Instant now);

    /** Waiting requests whose queue deadline passed. */
    List<LedgerEntry> expiredInQueue(Instant now, int limit);

    /**
     * Requests left half-done and untouched since {@code before}, whose record will not come back to finish them
     * (it was dead-lettered or committed after a long ledger outage): claimed and given back (RECEIVED), claimed
     * under a lease that lapsed before then (SUBMITTING), or with a first result recorded and never published
     * (and not being published). A SUBMITTING row of another owner counts only once its lease lapsed before
     * {@code othersBefore}: its owner, if alive, may still hold unfinished work for it and resumes it first.
     */
    List<LedgerEntry> orphans(Instant before, Instant othersBefore, Instant now, int limit);

    /** Requests taken from the line whose sender died: their lease lapsed. */
    List<LedgerEntry> lapsedReleases(Instant now, int limit);

    /** How many requests wait for their instance. */
    long queuedCount();

    /**
     * Takes the publication of a request's first result for {@code publisher} until {@code now} plus the publish
     * lease, unless it is published already or another publisher holds it. With {@code keep}, {@code resultJson} is
     * kept as the first result unless one is kept already (without, the result is one rebuilt the same from the row
     * every time). Answers the bytes to publish, or empty when this caller must not publish.
     */
    Optional<String> takeFirstPublication(String requestId, String resultJson, boolean keep, String publisher,
            Instant now);

    /** Marks a SUBMITTING request whose lease ran out (the service died mid-call) as UNKNOWN. */
    Optional<LedgerEntry> expireLease(String requestId, String message, Instant now);

    /** Notes that the first result reached the broker, and gives back the hold on its publication. */
    void markFirstResultPublished(String requestId);

    /** {@link #markFirstResultPublished} for several requests at once, in one commit. */
    void markFirstResultsPublished(java.util.Collection<String> requestIds);

    Optional<LedgerEntry> find(String requestId);

    /** Newest first, optionally filtered by instance and state. */
    List<LedgerEntry> recent(String instanceId, LedgerState state, int limit);

    /** Requests matching the search, newest first, skipping {@code offset} of them. */
    List<LedgerEntry> search(LedgerSearch search, int offset, int limit);

    /** How many requests received since a moment are in each state now. */
    java.util.Map<LedgerState, Long> countsSince(Instant since);

    /**
     * Requests received since a moment that need a person: UNKNOWN (did a job start?), FAILED with a retryable
     * error, REJECTED by the restore policy; newest first.
     */
    List<LedgerEntry> needingAttention(Instant since, int limit);

    /** Forgets requests and key claims older than the window; at most {@code batch} rows per call. */
    int purge(Instant olderThan, int batch);

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

    /** The identity of this process in leases. */
    String owner();

    /** The lease given to a SUBMITTING request. */
    Duration lease();

    /** Whether the store answers. */
    boolean ping();
}
