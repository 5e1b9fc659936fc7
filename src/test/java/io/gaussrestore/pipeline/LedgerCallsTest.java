package io.gaussrestore.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.JdbcIdempotencyLedger;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.ledger.LedgerStore;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.metrics.RestoreMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Notes of published first results are written together when they come faster than one write takes. */
class LedgerCallsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private JdbcConnectionPool pool;
    private IdempotencyLedger ledger;
    /** The size of each batch written, in order. */
    private final List<Integer> writes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void openLedger() {
        pool = JdbcConnectionPool.create("jdbc:h2:mem:calls-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "", "");
        LedgerStore.migrate(pool);
        ledger = new JdbcIdempotencyLedger(pool, Duration.ofDays(7), Duration.ofMinutes(2), "calls");
    }

    @AfterEach
    void closeLedger() {
        pool.dispose();
    }

    /** The real ledger, with each batched write first handed to {@code beforeWrite}. */
    private LedgerCalls calls(Consumer<Collection<String>> beforeWrite) {
        IdempotencyLedger watched = (IdempotencyLedger) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {IdempotencyLedger.class}, (proxy, method, args) -> {
                    if (method.getName().equals("markFirstResultsPublished")) {
                        @SuppressWarnings("unchecked")
                        Collection<String> ids = (Collection<String>) args[0];
                        writes.add(ids.size());
                        beforeWrite.accept(ids);
                    }
                    try {
                        return method.invoke(ledger, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new LedgerCalls(watched, new RestoreMetrics(new SimpleMeterRegistry()), Duration.ofSeconds(2));
    }

    private String submitted() {
        String id = "calls-" + UUID.randomUUID();
        ledger.claim(new NewRequest(id, "sha256:" + UUID.randomUUID(), "p", "i", "{}", null, null, null, "s-" + id,
                UUID.randomUUID().toString(), NOW), NOW);
        String token = ledger.find(id).orElseThrow().leaseToken();
        ledger.recordOutcome(id, token, new Outcome.Submitted("job-" + id, 1, NOW, NOW)).orElseThrow();
        return id;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void notesThatArriveWhileOneIsWrittenAreWrittenTogetherInOneCommit() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(submitted());
        }
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch firstWriteMayGoOn = new CountDownLatch(1);
        LedgerCalls calls = calls(batch -> {
            if (writes.size() == 1) {
                firstWriteStarted.countDown();
                await(firstWriteMayGoOn);
            }
        });

        List<CompletableFuture<Void>> done = new ArrayList<>();
        done.add(calls.markFirstResultPublished(ids.get(0)).subscribeAsCompletionStage());
        await(firstWriteStarted);
        for (String id : ids.subList(1, ids.size())) {
            done.add(calls.markFirstResultPublished(id).subscribeAsCompletionStage());
        }
        assertThat(done.subList(1, done.size())).as("waiting for the write under way").noneMatch(CompletableFuture::isDone);
        firstWriteMayGoOn.countDown();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        assertThat(writes).as("the first alone, at once; the 99 that came meanwhile together").containsExactly(1, 99);
        assertThat(ids).allSatisfy(id -> assertThat(ledger.find(id).orElseThrow().firstResultPublished()).isTrue());
    }

    @Test
    void aWriteThatFailsFailsItsNotesAndTheNextNotesAreStillWritten() throws Exception {
        String failing = submitted();
        String later = submitted();
        LedgerCalls calls = calls(batch -> {
            if (batch.contains(failing)) {
                throw new LedgerException("the ledger refused the statement", null, false);
            }
        });

        CompletableFuture<Void> first = calls.markFirstResultPublished(failing).subscribeAsCompletionStage();
        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("the ledger refused the statement");
        calls.markFirstResultPublished(later).subscribeAsCompletionStage().get(10, TimeUnit.SECONDS);

        assertThat(ledger.find(failing).orElseThrow().firstResultPublished()).isFalse();
        assertThat(ledger.find(later).orElseThrow().firstResultPublished()).isTrue();
    }
}
