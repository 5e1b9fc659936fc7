package io.gaussrestore.pipeline;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Function;
import org.jboss.logging.Logger;

/** Runs ledger calls (blocking JDBC) on worker threads, never on an event loop, and times each one. */
@ApplicationScoped
public class LedgerCalls {

    private static final Logger LOG = Logger.getLogger(LedgerCalls.class);

    private final IdempotencyLedger ledger;
    private final RestoreMetrics metrics;
    private final Duration transientDeadline;

    public LedgerCalls(IdempotencyLedger ledger, RestoreMetrics metrics, RestoreConfig config) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.transientDeadline = config.ledger().transientRetryDeadline();
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
        return call(operation, work)
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
