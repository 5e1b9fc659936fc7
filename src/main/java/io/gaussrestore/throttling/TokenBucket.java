package io.gaussrestore.throttling;

import java.time.Duration;
import java.time.Instant;

/**
 * The arithmetic of an adaptive token bucket. Pure: the state and the time come in, the new state goes out.
 * A reservation always succeeds and may leave the bucket negative: the caller waits until its token exists.
 *
 * @param tokens tokens available now (negative: reserved ahead)
 * @param ratePerMinute the current refill rate, lowered by 429s and recovering slowly
 * @param ceilingPerMinute the rate the gateway's stated limit allows (3% below it), which recovery does not
 *        pass while the limit is remembered; 0 when none is known
 * @param tokenCap the most tokens that may gather while a stated limit is remembered (the other 3% of one
 *        window's calls), so that a burst cannot fill the gateway's window past its limit; 0 when none is known
 */
public record TokenBucket(double tokens, double ratePerMinute, Instant updatedAt, Instant lastThrottledAt,
        double ceilingPerMinute, double tokenCap) {

    public TokenBucket(double tokens, double ratePerMinute, Instant updatedAt, Instant lastThrottledAt) {
        this(tokens, ratePerMinute, updatedAt, lastThrottledAt, 0, 0);
    }

    /** How the bucket behaves: configured rate, burst, the floor a 429 cannot push below, recovery pace. */
    public record Rules(double ratePerMinute, double burst, double floorPerMinute) {
        /** 429s closer together than this count as one (the gateway's window is still full of the old rate). */
        static final Duration THROTTLE_COOLDOWN = Duration.ofSeconds(5);
        /** After a 429 the rate stays put this long, then climbs back by a tenth of the configured rate a minute. */
        static final Duration RECOVERY_DELAY = Duration.ofSeconds(30);
        /** How long a stated limit caps the rate after its last 429; then recovery probes past it again. */
        static final Duration LIMIT_MEMORY = Duration.ofMinutes(10);
        /**
         * The share of a stated limit the rate keeps to; the rest of a window's calls is the most that may gather as
         * a burst, so that rate and burst together never fill one of the gateway's windows past its limit,
         * whatever the windows' alignment.
         */
        static final double STATED_SHARE = 0.97;
        /** The longest pause a Retry-After can impose on a project's budget: a gateway window, not an hour. */
        static final Duration MAX_PAUSE = Duration.ofMinutes(1);
    }

    /** A reservation: the bucket after it, and how long the caller must wait for its token. */
    public record Reservation(TokenBucket bucket, Duration delay) {}

    public static TokenBucket fresh(Rules rules, Instant now) {
        return new TokenBucket(rules.burst(), rules.ratePerMinute(), now, null);
    }

    /** Takes one token (now or in the future). */
    public Reservation reserve(Rules rules, Instant now) {
        TokenBucket refilled = refill(rules, now);
        double left = refilled.tokens - 1;
        Duration delay = left >= 0 ? Duration.ZERO
                : Duration.ofNanos((long) (-left / refilled.ratePerMinute * 60e9));
        return new Reservation(new TokenBucket(left, refilled.ratePerMinute, now, lastThrottledAt,
                refilled.ceilingPerMinute, refilled.tokenCap), delay);
    }

    /**
     * The cloud answered 429: slow down to just under the limit the gateway stated, else to half the current
     * rate (never below the floor). Reservations handed out at the old rate are forgiven (their callers queue
     * again), and nothing goes for a pause: the Retry-After if the gateway sent one (at most a minute), else, when it stated its
     * window, the time that window needs to free a burst's worth of calls (at most half the window), since the
     * window is full of the calls that caused the 429.
     */
    public TokenBucket throttled(Rules rules, Instant now, java.util.Optional<GatewayLimit.Stated> stated,
            java.util.Optional<Duration> retryAfter) {
        TokenBucket refilled = refill(rules, now);
        if (lastThrottledAt != null && now.isBefore(lastThrottledAt.plus(Rules.THROTTLE_COOLDOWN))) {
            return refilled;
        }
        double target = stated.map(s -> Math.min(refilled.ratePerMinute, s.perMinute() * Rules.STATED_SHARE))
                .orElse(refilled.ratePerMinute / 2);
        double rate = Math.max(rules.floorPerMinute(), target);
        double ceiling = stated.map(s -> Math.max(rules.floorPerMinute(), s.perMinute() * Rules.STATED_SHARE))
                .orElse(refilled.ceilingPerMinute);
        double cap = stated.map(s -> Math.max(1, (1 - Rules.STATED_SHARE) * s.perMinute() * s.window().toMillis() / 60_000.0))
                .orElse(refilled.tokenCap);
        Duration pause = retryAfter.map(r -> r.compareTo(Rules.MAX_PAUSE) > 0 ? Rules.MAX_PAUSE : r).orElseGet(() -> stated.map(s -> {
            double callsPerWindow = s.perMinute() * s.window().toMillis() / 60_000.0;
            long millis = (long) Math.min(s.window().toMillis() / 2.0, s.window().toMillis() * rules.burst() / callsPerWindow);
            return Duration.ofMillis(millis);
        }).orElse(Duration.ZERO));
        return new TokenBucket(-rate * pause.toMillis() / 60_000.0, rate, now, now, ceiling, cap);
    }

    private TokenBucket refill(Rules rules, Instant now) {
        double minutes = Math.max(0, Duration.between(updatedAt, now).toNanos() / 60e9);
        boolean remembered = lastThrottledAt != null && now.isBefore(lastThrottledAt.plus(Rules.LIMIT_MEMORY));
        double ceiling = remembered ? ceilingPerMinute : 0;
        double cap = remembered ? tokenCap : 0;
        double limit = ceiling > 0 ? Math.min(rules.ratePerMinute(), ceiling) : rules.ratePerMinute();
        double rate = ratePerMinute;
        if (lastThrottledAt == null || now.isAfter(lastThrottledAt.plus(Rules.RECOVERY_DELAY))) {
            rate = Math.max(rate, Math.min(limit, rate + rules.ratePerMinute() * 0.1 * minutes));
        }
        // A lowered configuration applies at once; a raised one is reached through recovery.
        rate = Math.min(rate, rules.ratePerMinute());
        double tokens = Math.min(cap > 0 ? Math.min(cap, rules.burst()) : rules.burst(), this.tokens + minutes * ratePerMinute);
        return new TokenBucket(tokens, rate, now, lastThrottledAt, ceiling, cap);
    }
}
