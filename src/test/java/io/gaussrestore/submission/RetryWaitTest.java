package io.gaussrestore.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How a retry waits: out its backoff, or until the circuit closes if that comes first. */
class RetryWaitTest {

    private static final Duration AT_MOST = Duration.ofSeconds(10);

    @Test
    void aZeroBackoffDuringAnOutageGoesAtOnceInsteadOfFailing() {
        CompletableFuture<Void> neverClosed = new CompletableFuture<>();

        String answer = RestoreSubmitter.waitThen(Duration.ZERO, neverClosed, () -> Uni.createFrom().item("sent"))
                .await().atMost(AT_MOST);

        assertThat(answer).isEqualTo("sent");
        assertThat(RestoreSubmitter.waitThen(Duration.ofNanos(400_000), null, () -> Uni.createFrom().item("sent too"))
                .await().atMost(AT_MOST)).isEqualTo("sent too");
    }

    @Test
    void theCircuitClosingEndsALongBackoffOnAnotherThread() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<String> result = RestoreSubmitter.waitThen(Duration.ofMinutes(10), closed.copy(), () -> {
            ranOn.set(Thread.currentThread());
            return Uni.createFrom().item("after the outage");
        }).subscribeAsCompletionStage();
        assertThat(result).isNotDone();

        closed.complete(null);

        assertThat(result).succeedsWithin(AT_MOST).isEqualTo("after the outage");
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
        assertThat(closed).isCompleted();
    }

    @Test
    void withoutAnOutageTheBackoffIsWaitedOut() {
        long start = System.nanoTime();

        String answer = RestoreSubmitter.waitThen(Duration.ofMillis(200), null, () -> Uni.createFrom().item("later"))
                .await().atMost(AT_MOST);

        assertThat(answer).isEqualTo("later");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void oneWaiterWhoseTimerWinsDoesNotEndAnotherWaitersWait() {
        CompletableFuture<Void> shared = new CompletableFuture<>();
        String early = RestoreSubmitter.waitThen(Duration.ofMillis(50), shared.copy(), () -> Uni.createFrom().item("timer"))
                .await().atMost(AT_MOST);
        CompletableFuture<String> waiting = RestoreSubmitter.waitThen(Duration.ofMinutes(10), shared.copy(),
                () -> Uni.createFrom().item("circuit")).subscribeAsCompletionStage();

        assertThat(early).isEqualTo("timer");
        assertThat(shared).isNotDone();
        shared.complete(null);
        assertThat(waiting).succeedsWithin(AT_MOST).isEqualTo("circuit");
    }
}
