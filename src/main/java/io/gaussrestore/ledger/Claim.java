package io.gaussrestore.ledger;

/** The answer of the ledger to a request that arrives. */
public sealed interface Claim {

    /**
     * The request is new: a valid one holds its business key and may be sent to the cloud (state SUBMITTING); one
     * that will not be sent is stored in its final state. {@code firstPublicationHeld}: its first result's
     * publication was taken for the caller with it, as {@link IdempotencyLedger#takeFirstPublication} would.
     */
    record Won(LedgerEntry entry, boolean firstPublicationHeld) implements Claim {

        public Won(LedgerEntry entry) {
            this(entry, false);
        }
    }

    /** Another request with the same business key holds it; the new request is stored as DUPLICATE. */
    record DuplicateOf(LedgerEntry newEntry, LedgerEntry original) implements Claim {}

    /** A different record reused a known request_id: it answers with the original's outcome. */
    record Repeated(LedgerEntry original) implements Claim {}

    /** The very record seen before (same topic, partition and offset) came again after a restart or rebalance. */
    record Redelivered(LedgerEntry entry) implements Claim {}
}
