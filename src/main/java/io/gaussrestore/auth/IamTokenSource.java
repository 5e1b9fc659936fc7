package io.gaussrestore.auth;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Tokens from IAM, cached and renewed in the background before they expire. Renewal is single-flight: however
 * many calls wait for a token, IAM is asked once.
 */
final class IamTokenSource implements TokenSource, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IamTokenSource.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    private final IamClient iam;
    private final byte[] body;
    private final Supplier<Uni<String>> delegatingToken;
    private final Clock clock;
    private final double renewAtFraction;
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "iam-token-renewal");
        thread.setDaemon(true);
        return thread;
    });
    private IssuedToken current;
    private Uni<IssuedToken> inflight;
    private ScheduledFuture<?> renewal;

    /**
     * @param delegatingToken the token that carries an assume-role request; null item for a password request
     */
    IamTokenSource(IamClient iam, byte[] body, Supplier<Uni<String>> delegatingToken, Clock clock, double renewAtFraction) {
        this.iam = iam;
        this.body = body;
        this.delegatingToken = delegatingToken;
        this.clock = clock;
        this.renewAtFraction = renewAtFraction;
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Uni<String> token() {
        IssuedToken token = cached();
        return token != null ? Uni.createFrom().item(token.value()) : flight().map(IssuedToken::value);
    }

    @Override
    public Uni<String> renew(String rejected) {
        synchronized (this) {
            if (current != null && !current.value().equals(rejected) && usable(current)) {
                return Uni.createFrom().item(current.value());
            }
            current = null;
        }
        return flight().map(IssuedToken::value);
    }

    private synchronized IssuedToken cached() {
        return current != null && usable(current) ? current : null;
    }

    /** Usable until shortly before it expires: a tenth of its life, at most a minute. */
    private boolean usable(IssuedToken token) {
        Duration life = Duration.between(token.issuedAt(), token.expiresAt());
        Duration margin = life.dividedBy(10).compareTo(Duration.ofMinutes(1)) < 0 ? life.dividedBy(10) : Duration.ofMinutes(1);
        return clock.instant().isBefore(token.expiresAt().minus(margin));
    }

    private synchronized Uni<IssuedToken> flight() {
        if (inflight == null) {
            inflight = delegatingToken.get()
                    .chain(delegating -> iam.issue(body, delegating))
                    .invoke(this::accept)
                    .onTermination().invoke(this::landed)
                    .memoize().indefinitely();
        }
        return inflight;
    }

    private synchronized void landed() {
        inflight = null;
    }

    private void accept(IssuedToken token) {
        synchronized (this) {
            current = token;
        }
        Duration life = Duration.between(token.issuedAt(), token.expiresAt());
        Instant renewAt = token.issuedAt().plusMillis((long) (life.toMillis() * renewAtFraction));
        schedule(Duration.between(clock.instant(), renewAt));
    }

    /** Replaces the pending background renewal: one timer at most, whatever renewed the token last. */
    private synchronized void schedule(Duration delay) {
        if (scheduler.isShutdown()) {
            return;
        }
        if (renewal != null) {
            renewal.cancel(false);
        }
        renewal = scheduler.schedule(() -> flight().subscribe().with(
                        token -> LOG.debugf("token renewed in the background, expires %s", token.expiresAt()),
                        failure -> {
                            LOG.warnf("background token renewal failed (%s); trying again in %s", failure.getMessage(),
                                    RETRY_AFTER_FAILURE);
                            schedule(RETRY_AFTER_FAILURE);
                        }),
                Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** How long until each background renewal waiting to run (there is at most one). */
    List<Duration> pendingRenewals() {
        return scheduler.getQueue().stream()
                .map(task -> Duration.ofMillis(((java.util.concurrent.Delayed) task).getDelay(TimeUnit.MILLISECONDS)))
                .toList();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
