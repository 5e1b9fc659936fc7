package io.gaussrestore.throttling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.cloud.Operation;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.testing.H2Files;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rate budget on a real (H2) store, as two replicas share it. */
class JdbcRateLimiterTest {

    @RegisterExtension
    static final H2Files.PerClass STORE = new H2Files.PerClass("rate");

    private static JdbcRateLimiter limiter(double perMinute, double burst) {
        return new JdbcRateLimiter(STORE.pool(), new TokenBucket.Rules(perMinute, burst, 6),
                new RestoreMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    private static long millis(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static String newProject() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** Takes one call's place in the budget, waiting as long as the budget says (5 s at the most). */
    private static void take(JdbcRateLimiter limiter, String project, Operation operation) {
        limiter.acquire(project, operation).await().atMost(Duration.ofSeconds(5));
    }

    /** As {@link #take}; how long it waited, in milliseconds. */
    private static long timedTake(JdbcRateLimiter limiter, String project, Operation operation) {
        return millis(() -> take(limiter, project, operation));
    }

    @Test
    void twoReplicasDrawOnOneBudget() {
        String project = newProject();
        JdbcRateLimiter a = limiter(120, 2);
        JdbcRateLimiter b = limiter(120, 2);

        take(a, project, Operation.RESTORE);
        take(b, project, Operation.RESTORE);
        long third = timedTake(a, project, Operation.RESTORE);
        long fourth = timedTake(b, project, Operation.RESTORE);

        assertThat(third).as("the shared burst of 2 is spent: 120 a minute means 500 ms apart").isBetween(400L, 1500L);
        assertThat(fourth).isBetween(400L, 1500L);
    }

    @Test
    void eachOperationHasABudgetOfItsOwn() {
        String project = newProject();
        JdbcRateLimiter limiter = limiter(120, 2);
        for (int i = 0; i < 2; i++) {
            take(limiter, project, Operation.JOB);
        }
        long thirdPoll = timedTake(limiter, project, Operation.JOB);

        long restore = timedTake(limiter, project, Operation.RESTORE);
        long look = timedTake(limiter, project, Operation.INSTANCE);

        assertThat(thirdPoll).as("the polls spent their burst of 2").isBetween(400L, 1500L);
        assertThat(restore).as("the restore POST's budget is untouched by polls").isLessThan(300L);
        assertThat(look).isLessThan(300L);
    }

    @Test
    void eachBudgetCanBeReadForPeopleWithWhatA429Taught() throws Exception {
        String project = newProject();
        JdbcRateLimiter limiter = limiter(120, 2);
        take(limiter, project, Operation.RESTORE);
        take(limiter, project, Operation.JOB);
        limiter.throttled(project, Operation.JOB, "policy user over ratelimit,limit:60,time:1 minute", null);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> limiter.budgets().stream()
                .anyMatch(b -> b.projectId().equals(project) && b.operation() == Operation.JOB && b.lastThrottledAt() != null));

        List<RateLimiter.Budget> mine = limiter.budgets().stream().filter(b -> b.projectId().equals(project)).toList();
        assertThat(mine).extracting(RateLimiter.Budget::operation).containsExactly(Operation.JOB, Operation.RESTORE);
        assertThat(mine.get(0).learnedLimit()).as("the stated limit, used to 97%").isCloseTo(58.2, org.assertj.core.data.Offset.offset(0.01));
        assertThat(mine.get(1).ratePerMinute()).isEqualTo(120.0);
        assertThat(mine.get(1).lastThrottledAt()).isNull();
    }

    @Test
    void aThrottledPollDoesNotSlowRestores() throws Exception {
        String project = newProject();
        JdbcRateLimiter limiter = limiter(120, 2);
        take(limiter, project, Operation.JOB);
        limiter.throttled(project, Operation.JOB, "policy user over ratelimit,limit:6,time:1 minute", "30");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            try (java.sql.Connection c = STORE.pool().getConnection();
                    java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT last_throttled_at FROM rate_budget "
                            + "WHERE project_id = '" + project + "' AND operation = 'job'")) {
                return rs.next() && rs.getObject(1) != null;
            }
        });

        long restore = timedTake(limiter, project, Operation.RESTORE);

        assertThat(restore).as("restores keep their own budget while polls pause for 30 s").isLessThan(300L);
    }

    @Test
    void aWaitShorterThanAMillisecondIsNoWait() {
        String project = newProject();
        JdbcRateLimiter fast = limiter(100_000_000, 1);
        for (int i = 0; i < 20; i++) {
            take(fast, project, Operation.RESTORE);
        }
    }

    @Test
    void aThrottleSeenByOneReplicaSlowsTheOther() throws Exception {
        String project = newProject();
        JdbcRateLimiter a = limiter(6000, 1);
        JdbcRateLimiter b = limiter(6000, 1);
        take(a, project, Operation.RESTORE);

        a.throttled(project, Operation.RESTORE, "policy user over ratelimit,limit:60,time:1 minute", "1");
        Thread.sleep(300);

        long waited = timedTake(b, project, Operation.RESTORE);
        assertThat(waited).as("b waits out the Retry-After that a was told").isGreaterThanOrEqualTo(500L);
        long next = timedTake(b, project, Operation.RESTORE);
        assertThat(next).as("then goes at 54 a minute, just under the stated limit").isBetween(900L, 1600L);
    }
}
