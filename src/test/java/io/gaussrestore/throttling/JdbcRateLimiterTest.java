package io.gaussrestore.throttling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.ledger.LedgerStore;
import io.gaussrestore.metrics.RestoreMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rate budget on a real (H2) store, as two replicas share it. */
class JdbcRateLimiterTest {

    private static JdbcConnectionPool pool;

    @BeforeAll
    static void createStore() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "rate-h2"));
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.toAbsolutePath().resolve("rate-" + UUID.randomUUID()), "", "");
        LedgerStore.migrate(pool);
    }

    @AfterAll
    static void closeStore() {
        pool.dispose();
    }

    private static JdbcRateLimiter limiter(double perMinute, double burst) {
        return new JdbcRateLimiter(pool, new TokenBucket.Rules(perMinute, burst, 6),
                new RestoreMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    private static long millis(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @Test
    void twoReplicasDrawOnOneBudget() {
        String project = UUID.randomUUID().toString().replace("-", "");
        JdbcRateLimiter a = limiter(120, 2);
        JdbcRateLimiter b = limiter(120, 2);

        a.acquire(project).await().atMost(Duration.ofSeconds(5));
        b.acquire(project).await().atMost(Duration.ofSeconds(5));
        long third = millis(() -> a.acquire(project).await().atMost(Duration.ofSeconds(5)));
        long fourth = millis(() -> b.acquire(project).await().atMost(Duration.ofSeconds(5)));

        assertThat(third).as("the shared burst of 2 is spent: 120 a minute means 500 ms apart").isBetween(400L, 1500L);
        assertThat(fourth).isBetween(400L, 1500L);
    }

    @Test
    void aWaitShorterThanAMillisecondIsNoWait() {
        String project = UUID.randomUUID().toString().replace("-", "");
        JdbcRateLimiter fast = limiter(100_000_000, 1);
        for (int i = 0; i < 20; i++) {
            fast.acquire(project).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void aThrottleSeenByOneReplicaSlowsTheOther() throws Exception {
        String project = UUID.randomUUID().toString().replace("-", "");
        JdbcRateLimiter a = limiter(6000, 1);
        JdbcRateLimiter b = limiter(6000, 1);
        a.acquire(project).await().atMost(Duration.ofSeconds(5));

        a.throttled(project, "policy user over ratelimit,limit:60,time:1 minute", "1");
        Thread.sleep(300);

        long waited = millis(() -> b.acquire(project).await().atMost(Duration.ofSeconds(5)));
        assertThat(waited).as("b waits out the Retry-After that a was told").isGreaterThanOrEqualTo(500L);
        long next = millis(() -> b.acquire(project).await().atMost(Duration.ofSeconds(5)));
        assertThat(next).as("then goes at 54 a minute, just under the stated limit").isBetween(900L, 1600L);
    }
}
