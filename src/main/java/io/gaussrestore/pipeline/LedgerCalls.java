package io.gaussrestore.pipeline;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jboss.logging.Logger;

/** Runs ledger calls (blocking JDBC) on worker threads, never on an event loop, and times each one. */
@ApplicationScoped
public class LedgerCalls {

    private static final Logger LOG = Logger.getLogger(LedgerCalls.class);

    private final IdempotencyLedger ledger;
    private final RestoreMetrics metrics;
    private final Duration transientDeadline;
    /** Notes of published first results waiting to be written, and whether a write is under way. */
    private final List<Mark> marks = new ArrayList<>();
    private boolean marking;

    @Inject
    public LedgerCalls(IdempotencyLedger ledger, RestoreMetrics metrics, RestoreConfig config) {
        this(ledger, metrics, config.ledger().transientRetryDeadline());
    }

    LedgerCalls(IdempotencyLedger ledger, RestoreMetrics metrics, Duration transientDeadline) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.transientDeadline = transientDeadline;
    }

    public <T> Uni<T> call(String operation, Function<IdempotencyLedger, T> work) {
        return Uni.createFrom().item(() -> {
            long start = System.nanoTime();
            try {
                return work.apply(ledger);
            } finally {
                metrics.ledgerCall(operation, System.nanoTime() - start);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * A call whose transient failures (the store unreachable for a while) are retried in place, up to the ledger's
     * transient-retry deadline: work that already holds a claim finishes it instead of starting over.
     */
    public <T> Uni<T> persistently(String operation, Function<IdempotencyLedger, T> work) {
        return retryingTransient(operation, call(operation, work));
    }

    /**
     * Notes a request's first result as published, persistently. The notes that arrive while one is being
     * written are written together next, in one commit: under a storm of records, one statement round for many
     * results instead of one each; alone, a note is written at once.
     */
    public Uni<Void> markFirstResultPublished(String requestId) {
        return retryingTransient("mark_published", Uni.createFrom().completionStage(() -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            boolean start;
            synchronized (marks) {
                marks.add(new Mark(requestId, done));
                start = !marking;
                marking = true;
            }
            if (start) {
                writeMarks();
            }
            return done;
        }));
    }

    private record Mark(String requestId, CompletableFuture<Void> done) {}

    /** Writes the waiting notes, then those that came meanwhile, until none wait. */
    private void writeMarks() {
        List<Mark> batch;
        synchronized (marks) {
            if (marks.isEmpty()) {
                marking = false;
                return;
            }
            batch = new ArrayList<>(marks);
            marks.clear();
        }
        List<String> ids = batch.stream().map(Mark::requestId).toList();
        call("mark_published", l -> {
            l.markFirstResultsPublished(ids);
            return null;
        }).subscribe().with(
                written -> {
                    writeMarks();
                    batch.forEach(mark -> mark.done().complete(null));
                },
                failure -> {
                    writeMarks();
                    batch.forEach(mark -> mark.done().completeExceptionally(failure));
                });
    }

    private <T> Uni<T> retryingTransient(String operation, Uni<T> work) {
        return work
                .onFailure(LedgerCalls::isTransient).invoke(e -> LOG.warnf("ledger %s failed, trying again: %s",
                        operation, e.getMessage()))
                .onFailure(LedgerCalls::isTransient).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .expireIn(transientDeadline.toMillis());
    }

    /** How long a SUBMITTING request's lease lasts without renewal. */
    public Duration lease() {
        return ledger.lease();
    }

    /** Whether a failure may pass if the same call is made later. */
    public static boolean isTransient(Throwable failure) {
        return failure instanceof LedgerException ledgerFailure && ledgerFailure.isTransient();
    }
}
