package io.gaussrestore.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory order of each instance's records in this process (not the ledger's durable QUEUED line): each
 * record that may reach the cloud waits for everything before it (the barrier and the group); records that cannot
 * reach the cloud (they break the rules) or are expected not to (they ask again for a restore held by a started
 * job) form a group that runs side by side, after the barrier and before the next record that may reach the
 * cloud.
 */
final class ArrivalOrder {

    /** One instance's records in this process. */
    private static final class Sequence {
        CompletableFuture<Void> barrier = CompletableFuture.completedFuture(null);
        Group group;
        int pending;
    }

    /** Records running side by side; done when the last of them is. */
    private static final class Group {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int running;
    }

    /** A record's turn: it may start when {@code previous} completes, and must call {@link #done} once. */
    static final class Turn {
        final CompletableFuture<Void> previous;
        private final String key;
        private final Sequence sequence;
        private final Group group;
        private final CompletableFuture<Void> mine;

        private Turn(CompletableFuture<Void> previous, String key, Sequence sequence, Group group,
                CompletableFuture<Void> mine) {
            this.previous = previous;
            this.key = key;
            this.sequence = sequence;
            this.group = group;
            this.mine = mine;
        }
    }

    private final Map<String, Sequence> sequences = new HashMap<>();

    /** A turn that waits for nothing (a repeat of a settled request). */
    static Turn atOnce() {
        return new Turn(CompletableFuture.completedFuture(null), null, null, null, new CompletableFuture<>());
    }

    /** A turn beside the records of its instance: after the last that may reach the cloud, with its group. */
    synchronized Turn beside(String key) {
        Sequence sequence = sequences.computeIfAbsent(key, k -> new Sequence());
        sequence.pending++;
        if (sequence.group == null) {
            sequence.group = new Group();
        }
        sequence.group.running++;
        return new Turn(sequence.barrier, key, sequence, sequence.group, new CompletableFuture<>());
    }

    /** A turn in its instance's order: after everything before it. */
    synchronized Turn inOrder(String key) {
        Sequence sequence = sequences.computeIfAbsent(key, k -> new Sequence());
        sequence.pending++;
        CompletableFuture<Void> previous = sequence.group == null
                ? sequence.barrier
                : CompletableFuture.allOf(sequence.barrier, sequence.group.done);
        CompletableFuture<Void> mine = new CompletableFuture<>();
        sequence.barrier = mine;
        sequence.group = null;
        return new Turn(previous, key, sequence, null, mine);
    }

    /** The record of this turn is settled: whatever waits for it may go. */
    synchronized void done(Turn turn) {
        if (turn.group != null && --turn.group.running == 0) {
            if (turn.sequence.group == turn.group) {
                turn.sequence.group = null;
            }
            turn.group.done.complete(null);
        }
        if (turn.sequence != null && --turn.sequence.pending == 0) {
            sequences.remove(turn.key);
        }
        turn.mine.complete(null);
    }
}
