package io.gaussrestore.ledger;

/** The answer of the ledger to a request that arrives. */
public sealed interface Claim {

    /** The request is new and holds its business key: it may be sent to the cloud (state SUBMITTING). */
    record Won(LedgerEntry entry) implements Claim {}

    /** Another request with the same business key holds it; the new request is stored as DUPLICATE. */
    record DuplicateOf(LedgerEntry newEntry, LedgerEntry original) implements Claim {}

    /** A different record reused a known request_id: it answers with the original's outcome. */
    record Repeated(LedgerEntry original) implements Claim {}

    /** The very record seen before (same topic, partition and offset) came again after a restart or rebalance. */
    record Redelivered(LedgerEntry entry) implements Claim {}
}
