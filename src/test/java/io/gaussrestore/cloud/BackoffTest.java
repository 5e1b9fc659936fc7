package io.gaussrestore.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(300);
    private static final Duration CAP = Duration.ofSeconds(60);

    @ParameterizedTest(name = "after {0} failures the wait is at most {1} ms")
    @CsvSource({"1,300", "2,600", "3,1200", "8,38400", "9,60000", "40,60000"})
    void fullJitterStaysUnderTheExponentialCeiling(int failures, long ceilingMillis) {
        Random random = new Random(7);
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long wait = Backoff.delay(failures, INITIAL, CAP, OptionalLong.empty(), random).toMillis();
            assertThat(wait).isBetween(0L, ceilingMillis);
            max = Math.max(max, wait);
        }
        assertThat(max).as("the jitter spreads up to the ceiling").isGreaterThan(ceilingMillis * 9 / 10);
    }

    @Test
    void retryAfterIsAFloorUpToTheCap() {
        assertThat(Backoff.delay(1, INITIAL, CAP, OptionalLong.of(5), new Random(1))).isEqualTo(Duration.ofSeconds(5));
        assertThat(Backoff.delay(1, INITIAL, CAP, OptionalLong.of(3600), new Random(1))).isEqualTo(CAP);
    }

    @Test
    void onlyRetryAfterInSecondsIsRead() {
        assertThat(Backoff.retryAfterSeconds("7")).hasValue(7);
        assertThat(Backoff.retryAfterSeconds(" 12 ")).hasValue(12);
        assertThat(Backoff.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).isEmpty();
        assertThat(Backoff.retryAfterSeconds("-1")).isEmpty();
        assertThat(Backoff.retryAfterSeconds(null)).isEmpty();
    }
}
