package io.gaussrestore.queue;

import io.gaussrestore.ledger.LedgerEntry;
import io.smallrye.mutiny.Uni;

/**
 * Where a request taken from its instance's line goes: sent, and what came of it published as a later result.
 * The pipeline provides it; the line only decides who goes next, and never reaches into the pipeline.
 */
public interface Releases {

    /** Sends a request taken from its line (its lease is the taker's); completes once its outcome is out. */
    Uni<Void> release(LedgerEntry taken);
}
