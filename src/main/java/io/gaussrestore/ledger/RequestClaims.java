package io.gaussrestore.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Requests and their business keys: a request is recorded once, claims its business key atomically (unique
 * constraints, never read-then-write), is sent under a lease, and ends with one outcome.
 */
public interface RequestClaims {

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
     * Requests left half-done and untouched since {@code before}, whose record will not come back to finish them
     * (it was dead-lettered or committed after a long ledger outage): claimed and given back (RECEIVED), claimed
     * under a lease that lapsed before then (SUBMITTING), or with a first result recorded and never published
     * (and not being published). A SUBMITTING row of another owner counts only once its lease lapsed before
     * {@code othersBefore}: its owner, if alive, may still hold unfinished work for it and resumes it first.
     */
    List<LedgerEntry> orphans(Instant before, Instant othersBefore, Instant now, int limit);

    /** Marks a SUBMITTING request whose lease ran out (the service died mid-call) as UNKNOWN. */
    Optional<LedgerEntry> expireLease(String requestId, String message, Instant now);

    /** The identity of this process in leases. */
    String owner();

    /** The lease given to a SUBMITTING request. */
    Duration lease();
}
