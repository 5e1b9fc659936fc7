package io.gaussrestore.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the console and the HTTP API may read of the ledger: one request, recent ones, a search, counts. */
public interface LedgerReads {

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

    /** The request holding a business key now, if any: a new request for the same restore would be its duplicate. */
    Optional<LedgerEntry> holderOf(String businessKey, Instant now);

    /** Waiting requests, by instance and in line. */
    List<LedgerEntry> queued(String instanceId, int limit);

    /**
     * How many requests for an instance were accepted (queued, sent or being sent) since a moment, leaving one
     * request out: the blast-radius count of the restore policy.
     */
    long acceptedSince(String instanceId, Instant since, String excludingRequestId);
}
