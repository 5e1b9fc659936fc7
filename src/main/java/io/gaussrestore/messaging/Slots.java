package io.gaussrestore.messaging;

import java.util.concurrent.CompletableFuture;

/**
 * A number of units allowed in flight at once (records, or bytes of records), and the waiter for the next that
 * frees. A taker of more units than are free waits, unless nothing is in flight: one larger than the whole number
 * goes alone, so that nothing waits for ever.
 */
final class Slots {
    private final long max;
    private long used;
    /** Completed when units free while the next taker waits for them. */
    private CompletableFuture<Void> freed;

    Slots(long max) {
        this.max = max;
    }

    synchronized boolean full() {
        return used >= max;
    }

    /** Takes one unit whatever is in use; the caller checked {@link #full()} under this object's lock. */
    synchronized void takeOne() {
        used++;
    }

    /** Null when a unit is free; otherwise what completes when one frees. */
    synchronized CompletableFuture<Void> waiter() {
        return used < max ? null : nextRelease();
    }

    private CompletableFuture<Void> nextRelease() {
        if (freed == null) {
            freed = new CompletableFuture<>();
        }
        return freed;
    }

    /** Completes once a unit is taken: at once when one is free, else when one frees. */
    CompletableFuture<Void> take() {
        return take(1);
    }

    /** Completes once {@code units} are taken: at once when they are free (or nothing is in use), else later. */
    CompletableFuture<Void> take(long units) {
        CompletableFuture<Void> full;
        synchronized (this) {
            if (used == 0 || used + units <= max) {
                used += units;
                return CompletableFuture.completedFuture(null);
            }
            full = nextRelease();
        }
        return full.thenCompose(ignored -> take(units));
    }

    void release() {
        release(1);
    }

    void release(long units) {
        CompletableFuture<Void> waiter;
        synchronized (this) {
            used -= units;
            waiter = freed;
            freed = null;
        }
        if (waiter != null) {
            // Completed on another thread: the waiter takes its units on its own.
            waiter.completeAsync(() -> null);
        }
    }
}
