package io.gaussrestore.pipeline;

import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/** Runs ledger calls (blocking JDBC) on worker threads, never on an event loop, and times each one. */
@ApplicationScoped
public class LedgerCalls {

    private final IdempotencyLedger ledger;
    private final RestoreMetrics metrics;

    public LedgerCalls(IdempotencyLedger ledger, RestoreMetrics metrics) {
        this.ledger = ledger;
        this.metrics = metrics;
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
}
