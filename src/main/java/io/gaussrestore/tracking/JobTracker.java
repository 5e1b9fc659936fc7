package io.gaussrestore.tracking;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.TrackingUpdate;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.result.LaterResults;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Follows every submitted job to its end. The state lives in the ledger: each tick takes the jobs that are due
 * with a lease (so with several replicas each job has one tracker at a time, and a restarted service carries on),
 * polls them, records what changed, and publishes RUNNING on a change and exactly one terminal result.
 */
@ApplicationScoped
public class JobTracker {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    private static final Duration TICK_BUDGET = Duration.ofMinutes(2);

    private final IdempotencyLedger ledger;
    private final GaussDbRestoreClient client;
    private final LaterResults laterResults;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final RestoreConfig.Tracking config;
    private final TrackingRules rules;

    public JobTracker(IdempotencyLedger ledger, GaussDbRestoreClient client, LaterResults laterResults,
            RestoreMetrics metrics, Clock clock, RestoreConfig config) {
        this.ledger = ledger;
        this.client = client;
        this.laterResults = laterResults;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config.tracking();
        this.rules = TrackingRules.from(this.config);
    }

    @Scheduled(every = "${restore.tracking.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = TrackingDisabled.class)
    void tick() {
        // Jobs due before the middle of the next tick go now: otherwise a poll due a moment after this tick waits a
        // whole extra tick.
        java.time.Instant now = clock.instant();
        List<LedgerEntry> due = ledger.claimDueJobs(now, now.plus(config.tick().dividedBy(2)), config.lease(), config.batch());
        if (!due.isEmpty()) {
            Uni.join().all(due.stream().map(this::follow).toList()).andCollectFailures()
                    .onFailure().invoke(e -> LOG.warnf("job tracking tick failed: %s", e.getMessage()))
                    .onFailure().recoverWithNull()
                    .await().atMost(TICK_BUDGET);
        }
        metrics.jobsInFlight(ledger.jobsInFlight());
        metrics.oldestJobAge(ledger.oldestJobSubmittedAt()
                .map(submitted -> java.time.Duration.between(submitted, clock.instant()))
                .orElse(java.time.Duration.ZERO));
    }

    /** One job: publish a result left unpublished by a crash, or poll and record. */
    Uni<Void> follow(LedgerEntry entry) {
        if (!entry.trackEventPublished()) {
            return publish(entry);
        }
        if (entry.state() != LedgerState.SUBMITTED && entry.state() != LedgerState.RUNNING) {
            return Uni.createFrom().voidItem();
        }
        return client.showJob(entry.projectId(), entry.jobId())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .chain(result -> {
                    TrackingUpdate update = JobPollDecision.decide(entry, result, clock.instant(), rules,
                            ThreadLocalRandom.current().nextDouble());
                    return ledger.recordTracking(entry.requestId(), update, clock.instant())
                            .map(recorded -> update.eventId() == null ? Uni.createFrom().voidItem() : publish(recorded))
                            .orElseGet(() -> {
                                LOG.warnf("lost the tracking lease of %s; another tracker carries on", entry.requestId());
                                return Uni.createFrom().voidItem();
                            });
                });
    }

    private Uni<Void> publish(LedgerEntry entry) {
        return laterResults.publish(entry).invoke(() -> {
            boolean ended = entry.state() == LedgerState.COMPLETED || entry.state() == LedgerState.FAILED
                    || entry.state() == LedgerState.UNKNOWN;
            if (ended && entry.submittedAt() != null && entry.finishedAt() != null) {
                metrics.jobEnded(entry.state().name().toLowerCase(java.util.Locale.ROOT),
                        Duration.between(entry.submittedAt(), entry.finishedAt()));
            }
        });
    }

    /** Lets configuration switch tracking off (tests that stub only the restore call). */
    @ApplicationScoped
    public static class TrackingDisabled implements Scheduled.SkipPredicate {
        private final boolean enabled;

        public TrackingDisabled(RestoreConfig config) {
            this.enabled = config.tracking().enabled();
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !enabled;
        }
    }
}
