package io.gaussrestore.result;

import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Publishes the results that follow a request's first one (a job's progress and end, what came of a request
 * that waited in its instance's line, a cancellation): each is recorded in the ledger with its event id before
 * it goes out, and marked once the broker has it, so a crash in between republishes the same event.
 */
@ApplicationScoped
public class LaterResults {

    private static final Logger LOG = Logger.getLogger(LaterResults.class);

    @Inject ResultSink results;
    @Inject IdempotencyLedger ledger;

    /** Publishes the entry's pending later result, if it has one. */
    public Uni<Void> publish(LedgerEntry entry) {
        if (entry.trackEventPublished() || entry.trackEventId() == null) {
            return Uni.createFrom().voidItem();
        }
        return results.publish(LedgerResults.latest(entry), entry.trackEventId())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> {
                    ledger.markTrackingPublished(entry.requestId(), entry.trackEventId());
                    RequestLog.with(entry.requestId(), entry.instanceId(), entry.jobId(), () -> LOG.infof(
                            "request %s: %s%s", entry.requestId(), entry.state(),
                            entry.progress() == null ? "" : " " + entry.progress()));
                });
    }
}
