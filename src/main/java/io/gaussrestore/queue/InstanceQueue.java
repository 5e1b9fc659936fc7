package io.gaussrestore.queue;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.InstanceInfo;
import io.gaussrestore.ledger.ClaimedButUnread;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.result.LaterResults;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The lines of requests waiting for their instance, kept in the ledger. Each tick ends the waits past their
 * deadline, gives UNKNOWN to released requests whose sender died, and lets the first request of each line go as
 * soon as its instance is free: at once when nothing of ours occupies it any more (the job ahead ended), or once
 * the instance shows ACTIVE when it was busy with something not ours (looked at every check interval, within
 * the rate budget). Taking a request out of its line is a compare-and-set, so with several replicas exactly one
 * sends it; a restarted service carries on with the lines as the ledger holds them.
 *
 * <p>The tick starts that work and does not wait for it: a release may wait in a backoff, in the rate budget or
 * for the answer of an unanswered POST for as long as its own deadlines allow, under its lease, and is never
 * cancelled by the scheduler; meanwhile the next ticks release the heads of other instances. Its instance is
 * occupied (SUBMITTING) until it ends, so no tick releases another request of that instance meanwhile.
 */
@ApplicationScoped
public class InstanceQueue {

    private static final Logger LOG = Logger.getLogger(InstanceQueue.class);
    public static final String QUEUE_TIMEOUT = "QUEUE_TIMEOUT";
    public static final String CANCELLED = "CANCELLED";
    /** How often a request just taken from its line is read again before its lease is left to lapse. */
    private static final int READ_BACK_TRIES = 20;

    private final IdempotencyLedger ledger;
    private final Releases releases;
    private final LaterResults laterResults;
    private final GaussDbRestoreClient client;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final RestoreConfig.Queue config;
    /** Without tracking, the end of our own jobs is unknown: only the cloud's answers tell a busy instance. */
    private final boolean jobsTracked;

    public InstanceQueue(IdempotencyLedger ledger, Releases releases, LaterResults laterResults,
            GaussDbRestoreClient client, RestoreMetrics metrics, Clock clock, RestoreConfig config) {
        this.ledger = ledger;
        this.releases = releases;
        this.laterResults = laterResults;
        this.client = client;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config.queue();
        this.jobsTracked = config.tracking().enabled();
    }

    @Scheduled(every = "${restore.queue.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        Instant now = clock.instant();
        List<Started> work = new ArrayList<>();
        for (LedgerEntry expired : ledger.expiredInQueue(now, config.batch())) {
            String message = "waited " + Duration.between(expired.queuedAt(), now).withNanos(0) + " for "
                    + expired.waitingFor() + ", longer than the queue deadline; nothing was sent: send a new request "
                    + "if the restore is still wanted";
            ledger.leaveQueue(expired.requestId(), LedgerState.FAILED, QUEUE_TIMEOUT, message, now).ifPresent(ended -> {
                metrics.queueWait("expired", Duration.between(ended.queuedAt(), now));
                work.add(new Started(ended.requestId(), "publishing its QUEUE_TIMEOUT", laterResults.publish(ended)));
            });
        }
        for (LedgerEntry lapsed : ledger.lapsedReleases(now, config.batch())) {
            ledger.expireLease(lapsed.requestId(), "the service stopped while submitting this restore after it left "
                    + "its instance's line; whether the cloud started a job is unknown, so it is not sent again", now)
                    .ifPresent(unknown -> work.add(new Started(unknown.requestId(), "publishing its UNKNOWN",
                            laterResults.publish(unknown))));
        }
        for (LedgerEntry head : ledger.queueHeads(now, jobsTracked, config.batch())) {
            work.add(head.queueCheckAt() == null
                    ? new Started(head.requestId(), "releasing it", release(head, now))
                    : new Started(head.requestId(), "checking its instance", releaseIfActive(head, now)));
        }
        work.forEach(Started::run);
        metrics.queued(ledger.queuedCount());
    }

    /** Work a tick started for one request, run on its own: its failure is logged, and nothing cancels it. */
    private record Started(String requestId, String what, Uni<Void> work) {
        void run() {
            work.subscribe().with(done -> { }, failure -> LOG.warnf("instance queue: %s for request %s failed: %s",
                    what, requestId, failure.toString()));
        }
    }

    /** Ends a waiting request at its requester's wish; empty when it is not waiting (any more). */
    public Optional<LedgerEntry> cancel(String requestId, String by) {
        Instant now = clock.instant();
        Optional<LedgerEntry> cancelled = ledger.leaveQueue(requestId, LedgerState.CANCELLED, CANCELLED,
                "cancelled while it waited for its instance" + (by == null ? "" : " (" + by + ")") + "; nothing was sent",
                now);
        cancelled.ifPresent(entry -> {
            metrics.queueWait("cancelled", Duration.between(entry.queuedAt(), now));
            // The cancel has happened: its result goes out without the caller waiting on the broker (a failed
            // publication stays unpublished in the ledger, and a tracker publishes it).
            new Started(entry.requestId(), "publishing its CANCELLED", laterResults.publish(entry)).run();
        });
        return cancelled;
    }

    private Uni<Void> release(LedgerEntry head, Instant now) {
        return Uni.createFrom().item(() -> ledger.takeFromQueue(head.requestId(), jobsTracked, now))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(ClaimedButUnread.class).recoverWithUni(failure -> readBack((ClaimedButUnread) failure))
                .chain(taken -> {
                    if (taken.isEmpty()) {
                        return Uni.createFrom().voidItem(); // another replica took it
                    }
                    metrics.queueWait("released", Duration.between(head.queuedAt(), now));
                    return releases.release(taken.get());
                });
    }

    /**
     * A request taken from its line whose read-back failed: it is this replica's (the token says so), so it is read
     * again until the ledger answers, instead of being left to its lease and an UNKNOWN.
     */
    private Uni<Optional<LedgerEntry>> readBack(ClaimedButUnread unread) {
        return Uni.createFrom().item(() -> ledger.find(unread.requestId()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(LedgerException.class).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .atMost(READ_BACK_TRIES)
                .map(found -> found.filter(entry -> unread.leaseToken().equals(entry.leaseToken())));
    }

    private Uni<Void> releaseIfActive(LedgerEntry head, Instant now) {
        return client.showInstance(head.projectId(), head.instanceId())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .chain(result -> {
                    boolean active = result instanceof ApiResult.Success success
                            && InstanceInfo.parse(success.body()).map(InstanceInfo::active).orElse(false);
                    if (active) {
                        return release(head, now);
                    }
                    ledger.recheckLater(head.requestId(), clock.instant().plus(config.checkInterval()));
                    return Uni.createFrom().voidItem();
                });
    }
}
