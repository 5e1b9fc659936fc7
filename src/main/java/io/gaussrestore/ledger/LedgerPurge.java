package io.gaussrestore.ledger;

import io.gaussrestore.config.RestoreConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Forgets requests and business keys older than the de-duplication window, in small batches, off the pipeline, and
 * console sign-outs whose sessions are over by themselves.
 */
@ApplicationScoped
public class LedgerPurge {

    private static final Logger LOG = Logger.getLogger(LedgerPurge.class);

    private final IdempotencyLedger ledger;
    private final SessionEnds sessionEnds;
    private final RestoreConfig.Ledger config;
    private final Clock clock;

    public LedgerPurge(IdempotencyLedger ledger, SessionEnds sessionEnds, RestoreConfig config, Clock clock) {
        this.ledger = ledger;
        this.sessionEnds = sessionEnds;
        this.config = config.ledger();
        this.clock = clock;
    }

    @Scheduled(every = "${restore.ledger.purge-interval}", delayed = "PT1M",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        int total = 0;
        int batch;
        do {
            batch = ledger.purge(clock.instant().minus(config.window()), config.purgeBatch());
            total += batch;
        } while (batch >= config.purgeBatch());
        total += sessionEnds.purge(clock.instant());
        if (total > 0) {
            LOG.infof("purged %d ledger rows older than %s", total, config.window());
        }
    }
}
