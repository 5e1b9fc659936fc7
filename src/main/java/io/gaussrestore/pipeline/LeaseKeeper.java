package io.gaussrestore.pipeline;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Keeps a SUBMITTING request's lease alive for as long as its submission runs, waits included (for the rate
 * budget, a busy instance, a backoff): renewed every third of its length, and before every POST. Once a renewal
 * finds the lease token gone, the lease is lost for good and no further POST may go out.
 */
final class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final LedgerCalls ledger;
    private final String requestId;
    private final String token;
    private final Clock clock;
    private final Cancellable ticks;
    private volatile boolean lost;

    LeaseKeeper(LedgerCalls ledger, String requestId, String token, Clock clock) {
        this.ledger = ledger;
        this.requestId = requestId;
        this.token = token;
        this.clock = clock;
        Duration every = ledger.lease().dividedBy(3);
        this.ticks = Multi.createFrom().ticks().startingAfter(every).every(every)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> renew()
                        .onFailure().invoke(e -> LOG.warnf("renewing the lease of %s failed: %s", requestId, e.getMessage()))
                        .onFailure().recoverWithNull())
                .subscribe().with(ignored -> { }, failure -> { });
    }

    /** Renews now; false once the lease belongs to someone else. */
    Uni<Boolean> renewNow() {
        return lost ? Uni.createFrom().item(false) : ledger.persistently("renew_lease", this::renewal).invoke(this::note);
    }

    private Uni<Boolean> renew() {
        return lost ? Uni.createFrom().item(false) : ledger.call("renew_lease", this::renewal).invoke(this::note);
    }

    private boolean renewal(io.gaussrestore.ledger.IdempotencyLedger l) {
        return l.renewLease(requestId, token, clock.instant().plus(l.lease()), clock.instant());
    }

    private void note(Boolean renewed) {
        if (Boolean.FALSE.equals(renewed) && !lost) {
            lost = true;
            LOG.warnf("request %s: its lease was taken over; no further call to the cloud is made for it", requestId);
            ticks.cancel();
        }
    }

    void stop() {
        ticks.cancel();
    }
}
