package io.gaussrestore.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The durable line of QUEUED requests of each instance: who occupies it, who waits, who goes next. */
public interface InstanceLines {

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

    /** Requests taken from the line whose sender died: their lease lapsed. */
    List<LedgerEntry> lapsedReleases(Instant now, int limit);

    /** How many requests wait for their instance. */
    long queuedCount();
}
