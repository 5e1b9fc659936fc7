package io.gaussrestore.ledger;

import java.time.Instant;

/**
 * Every request the service has seen, and which request holds each business key. Claims are atomic (unique
 * constraints, never read-then-write), so two threads or two replicas cannot both win the same restore. Each of
 * its roles is an interface of its own, so that a part of the service sees only the role it uses: the console
 * and the HTTP API see {@link LedgerReads}.
 */
public interface IdempotencyLedger
        extends RequestClaims, InstanceLines, FirstPublications, LedgerReads, JobRecords {

    /** Forgets requests and key claims older than the window; at most {@code batch} rows per call. */
    int purge(Instant olderThan, int batch);

    /** Whether the store answers. */
    boolean ping();
}
