package io.gaussrestore.pipeline;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.observability.RequestLog;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Finishes requests whose record will not come back. A record is dead-lettered (and committed) when the ledger or
 * the result topic stays away past the transient-retry deadline; if its request had been claimed by then, the row
 * is left half-done: given back (RECEIVED), SUBMITTING under a lease nothing renews, or with a first result never
 * published (so its job is never followed, and its instance's line never moves). Once such a row has been
 * untouched for longer than any worker would still be retrying it (the transient-retry deadline plus the lease;
 * twice that for a SUBMITTING row claimed by another replica, which resumes its own work first), the sweep carries
 * it on as its record would: it is sent, or ends UNKNOWN when it may have been sent, and its
 * first result is published. Every replica sweeps; the ledger's compare-and-set writes let one of them act.
 */
@ApplicationScoped
public class OrphanSweep {

    private static final Logger LOG = Logger.getLogger(OrphanSweep.class);
    private static final int BATCH = 50;

    private final IdempotencyLedger ledger;
    private final RestorePipeline pipeline;
    private final Clock clock;
    private final Duration untouchedFor;

    public OrphanSweep(IdempotencyLedger ledger, RestorePipeline pipeline, Clock clock, RestoreConfig config) {
        this.ledger = ledger;
        this.pipeline = pipeline;
        this.clock = clock;
        this.untouchedFor = config.ledger().transientRetryDeadline().plus(config.ledger().lease());
    }

    @Scheduled(every = "${restore.ledger.orphan-sweep-interval}", delayed = "${restore.ledger.orphan-sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        Instant now = clock.instant();
        // Another replica's claim waits twice as long: if that replica is alive, it resumes its own work first
        // (it knows whether anything was sent); only a claim whose owner is gone is ended here as UNKNOWN.
        for (LedgerEntry orphan : ledger.orphans(now.minus(untouchedFor), now.minus(untouchedFor.multipliedBy(2)),
                now, BATCH)) {
            RequestLog.with(orphan.requestId(), orphan.instanceId(), orphan.jobId(), () -> LOG.warnf(
                    "request %s was left %s%s since %s and its record will not come back: finishing it here",
                    orphan.requestId(), orphan.state(), orphan.firstResultPublished() ? "" : " without its first result",
                    orphan.updatedAt()));
            pipeline.resume(orphan).subscribe().with(
                    done -> LOG.infof("request %s finished by the orphan sweep", orphan.requestId()),
                    failure -> LOG.warnf("the orphan sweep could not finish request %s yet: %s", orphan.requestId(),
                            failure.toString()));
        }
    }
}
