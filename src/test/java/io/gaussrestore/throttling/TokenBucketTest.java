package io.gaussrestore.throttling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketTest {

    private static final Instant T0 = Instant.parse("2026-11-28T06:00:00Z");
    private static final TokenBucket.Rules RULES = new TokenBucket.Rules(120, 10, 6);

    @Test
    void theBurstGoesAtOnceThenCallsAreSpacedAtTheRate() {
        TokenBucket bucket = TokenBucket.fresh(RULES, T0);
        for (int i = 0; i < 10; i++) {
            TokenBucket.Reservation reservation = bucket.reserve(RULES, T0);
            assertThat(reservation.delay()).isZero();
            bucket = reservation.bucket();
        }
        TokenBucket.Reservation eleventh = bucket.reserve(RULES, T0);
        assertThat(eleventh.delay()).isEqualTo(Duration.ofMillis(500));
        TokenBucket.Reservation twelfth = eleventh.bucket().reserve(RULES, T0);
        assertThat(twelfth.delay()).as("reservations queue up, nobody is refused").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aQuietSpellRefillsUpToTheBurstOnly() {
        TokenBucket drained = new TokenBucket(0, 120, T0, null);
        TokenBucket later = drained.reserve(RULES, T0.plus(Duration.ofMinutes(10))).bucket();
        assertThat(later.tokens()).isEqualTo(9.0);
    }

    @Test
    void a429WithoutAStatedLimitHalvesTheRateOncePerCooldown() {
        TokenBucket bucket = TokenBucket.fresh(RULES, T0);
        TokenBucket once = bucket.throttled(RULES, T0, Optional.empty(), Optional.empty());
        assertThat(once.ratePerMinute()).isEqualTo(60);
        assertThat(once.tokens()).as("the burst stops").isZero();
        assertThat(once.throttled(RULES, T0.plusSeconds(2), Optional.empty(), Optional.empty()).ratePerMinute()).isEqualTo(60);
        assertThat(once.throttled(RULES, T0.plusSeconds(6), Optional.empty(), Optional.empty()).ratePerMinute()).isEqualTo(30);
    }

    @Test
    void a429WithAStatedLimitGoesJustUnderIt() {
        TokenBucket bucket = TokenBucket.fresh(RULES, T0);
        TokenBucket throttled = bucket.throttled(RULES, T0, Optional.of(new GatewayLimit.Stated(60, Duration.ofMinutes(1))),
                Optional.empty());
        assertThat(throttled.ratePerMinute()).isCloseTo(60 * 0.97, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(throttled.reserve(RULES, T0).delay()).as("the window frees a burst of 10 calls in 10 s")
                .isBetween(Duration.ofSeconds(10), Duration.ofMillis(11200));
        TokenBucket told = bucket.throttled(RULES, T0, Optional.of(new GatewayLimit.Stated(60, Duration.ofMinutes(1))),
                Optional.of(Duration.ofSeconds(2)));
        assertThat(told.reserve(RULES, T0).delay()).as("Retry-After wins").isBetween(Duration.ofSeconds(2), Duration.ofMillis(3200));
        assertThat(bucket.throttled(RULES, T0, Optional.of(new GatewayLimit.Stated(1, Duration.ofMinutes(1))), Optional.empty())
                .ratePerMinute()).as("never below the floor").isEqualTo(6);
    }

    @Test
    void aRetryAfterPausesTheBudgetForAtMostAMinute() {
        TokenBucket bucket = TokenBucket.fresh(RULES, T0);
        TokenBucket shortPause = bucket.throttled(RULES, T0, Optional.empty(), Optional.of(Duration.ofSeconds(14)));
        assertThat(shortPause.reserve(RULES, T0).delay()).isGreaterThan(Duration.ofSeconds(13)).isLessThan(Duration.ofSeconds(16));
        TokenBucket hourPause = bucket.throttled(RULES, T0, Optional.empty(), Optional.of(Duration.ofHours(1)));
        assertThat(hourPause.reserve(RULES, T0).delay()).isGreaterThan(Duration.ofSeconds(59)).isLessThan(Duration.ofSeconds(62));
    }

    @Test
    void theRateRecoversSlowlyAfterAQuietHalfMinute() {
        TokenBucket throttled = TokenBucket.fresh(RULES, T0).throttled(RULES, T0, Optional.empty(), Optional.empty());
        assertThat(throttled.reserve(RULES, T0.plusSeconds(20)).bucket().ratePerMinute()).isEqualTo(60);
        double recovered = throttled.reserve(RULES, T0.plus(Duration.ofMinutes(2))).bucket().ratePerMinute();
        assertThat(recovered).isEqualTo(84.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(throttled.reserve(RULES, T0.plus(Duration.ofHours(1))).bucket().ratePerMinute()).isEqualTo(120);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute|60",
            "policy user over ratelimit,limit:60,time:6 second|600",
            "policy ip over ratelimit,limit:7200,time:1 hour|120",
            "LIMIT: 30 , TIME: 2 MINUTE|15"})
    void theGatewaysStatedLimitIsRead(String message, double perMinute) {
        assertThat(GatewayLimit.perMinute(message)).hasValue(perMinute);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"too many requests", "limit:0,time:1 minute", "''"})
    void messagesWithoutALimitGiveNone(String message) {
        assertThat(GatewayLimit.perMinute(message)).isEmpty();
    }

    /**
     * A configuration far above the gateway (30,000 a minute against 40 per 10 s) and a demand that never stops,
     * with idle gaps: once a 429 stated the limit, no 10-second window of the gateway's (whatever its alignment)
     * receives more than the limit over the next 9 minutes, recovery does not climb past it, and most of it is used.
     */
    @ParameterizedTest
    @CsvSource({"0", "3300", "7700"})
    void aStatedLimitIsNeverPassedAgainWhileItIsRemembered(long alignmentMillis) {
        TokenBucket.Rules rules = new TokenBucket.Rules(30_000, 500, 6);
        Optional<GatewayLimit.Stated> stated = GatewayLimit.stated("policy user over ratelimit,limit:40,time:10 second");
        TokenBucket bucket = TokenBucket.fresh(rules, T0).throttled(rules, T0, stated, Optional.empty());
        java.util.Map<Long, Integer> perWindow = new java.util.TreeMap<>();
        Instant now = T0;
        Instant end = T0.plus(Duration.ofMinutes(9));
        int calls = 0;
        while (now.isBefore(end)) {
            TokenBucket.Reservation reservation = bucket.reserve(rules, now);
            bucket = reservation.bucket();
            Instant call = now.plus(reservation.delay());
            perWindow.merge(Duration.between(T0.minusMillis(alignmentMillis), call).toMillis() / 10_000, 1, Integer::sum);
            calls++;
            // Demand pauses now and then (a quiet moment of the topic), so tokens may gather.
            now = calls % 97 == 0 ? call.plusSeconds(20) : call;
        }

        assertThat(perWindow.values()).as("calls in each gateway window").allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(40));
        assertThat(bucket.ratePerMinute()).isLessThanOrEqualTo(240 * 0.97);
        assertThat(calls).as("more than half of the limit used, idle gaps included").isGreaterThan(54 * 40 / 2);
    }
}
