package io.gaussrestore.ledger;

import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every ledger store must do; run against embedded H2 and a real PostgreSQL. */
abstract class IdempotencyLedgerContract {

    static final Duration WINDOW = Duration.ofDays(7);
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Instant NOW = Instant.parse("2026-11-28T06:00:00Z");

    IdempotencyLedger ledger;

    /** A data source on an empty, migrated schema of the store under test. */
    abstract DataSource dataSource();

    @BeforeEach
    void openLedger() {
        ledger = new JdbcIdempotencyLedger(dataSource(), WINDOW, LEASE, "owner-1");
    }

    static String id() {
        return "req-" + UUID.randomUUID();
    }

    static String key() {
        return "sha256:" + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
    }

    String token(String requestId) {
        return ledger.find(requestId).orElseThrow().leaseToken();
    }

    static NewRequest request(String requestId, String businessKey, String source) {
        return new NewRequest(requestId, businessKey, "97b026aa9cc4417888c14c84a1ad9860",
                "61a4ea66210545909d74a05c27a7179ein07", "{\"request_id\":\"" + requestId + "\"}", "bot", "why", null,
                source, UUID.randomUUID().toString(), NOW);
    }

    /** Claims a new request for the business key at NOW and records it SUBMITTED as the job given; its id. */
    String submitted(String businessKey, String jobId) {
        String id = id();
        ledger.claim(request(id, businessKey), NOW);
        ledger.recordOutcome(id, token(id), new Outcome.Submitted(jobId, 1, NOW, NOW)).orElseThrow();
        return id;
    }

    /** Claims a new request for the business key from the record given, then gives the claim back; its id. */
    String relinquished(String businessKey, String source) {
        String id = id();
        ledger.claim(request(id, businessKey, source), NOW);
        assertThat(ledger.relinquish(id, token(id), NOW)).isTrue();
        return id;
    }

    static NewRequest request(String requestId, String businessKey) {
        return request(requestId, businessKey, "requests-0@" + UUID.randomUUID());
    }

    @Test
    void aNewRequestWinsItsClaimAndIsSubmitting() {
        String id = id();
        Claim claim = ledger.claim(request(id, key()), NOW);

        assertThat(claim).isInstanceOfSatisfying(Claim.Won.class, won -> {
            assertThat(won.entry().state()).isEqualTo(LedgerState.SUBMITTING);
            assertThat(won.entry().leaseOwner()).isEqualTo("owner-1");
            assertThat(won.entry().leaseUntil()).isEqualTo(NOW.plus(LEASE));
            assertThat(won.entry().requestedBy()).isEqualTo("bot");
            assertThat(won.entry().receivedAt()).isEqualTo(NOW);
        });
    }

    @Test
    void aSecondRecordWithTheSameRequestIdIsARepeat() {
        String id = submitted(key(), "job-1");

        Claim again = ledger.claim(request(id, key()), NOW.plusSeconds(5));

        assertThat(again).isInstanceOfSatisfying(Claim.Repeated.class, repeated -> {
            assertThat(repeated.original().state()).isEqualTo(LedgerState.SUBMITTED);
            assertThat(repeated.original().jobId()).isEqualTo("job-1");
        });
    }

    @Test
    void theSameRecordAgainIsARedelivery() {
        String id = id();
        NewRequest request = request(id, key(), "requests-2@17");
        ledger.claim(request, NOW);

        assertThat(ledger.claim(request, NOW.plusSeconds(1))).isInstanceOfSatisfying(Claim.Redelivered.class,
                r -> assertThat(r.entry().state()).isEqualTo(LedgerState.SUBMITTING));
    }

    @Test
    void anotherRequestForTheSameRestoreIsADuplicate() {
        String key = key();
        String original = submitted(key, "job-7");
        String second = id();

        Claim claim = ledger.claim(request(second, key), NOW.plusSeconds(1));

        assertThat(claim).isInstanceOfSatisfying(Claim.DuplicateOf.class, duplicate -> {
            assertThat(duplicate.original().requestId()).isEqualTo(original);
            assertThat(duplicate.original().jobId()).isEqualTo("job-7");
            assertThat(duplicate.newEntry().state()).isEqualTo(LedgerState.DUPLICATE);
            assertThat(duplicate.newEntry().duplicateOf()).isEqualTo(original);
        });
        assertThat(ledger.find(second)).hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(LedgerState.DUPLICATE));
    }

    @Test
    void everyHoldingStateBlocksTheBusinessKey() {
        for (Outcome outcome : List.of(new Outcome.Submitted("j", 1, NOW, NOW), new Outcome.Unknown("lost", 1, NOW))) {
            String key = key();
            String original = id();
            ledger.claim(request(original, key), NOW);
            ledger.recordOutcome(original, token(original), outcome);
            assertThat(ledger.claim(request(id(), key), NOW)).as(outcome.toString()).isInstanceOf(Claim.DuplicateOf.class);
        }
        String key = key();
        ledger.claim(request(id(), key), NOW);
        assertThat(ledger.claim(request(id(), key), NOW)).as("while SUBMITTING").isInstanceOf(Claim.DuplicateOf.class);
    }

    @Test
    void aPermanentFailureReleasesTheBusinessKeyButNotTheRequestId() {
        String key = key();
        String failed = id();
        ledger.claim(request(failed, key), NOW);
        LedgerEntry entry = ledger.recordOutcome(failed, token(failed),
                new Outcome.Failed("DBS.200823", "The database does not exist.", 400, false, 1, NOW)).orElseThrow();
        assertThat(entry.state()).isEqualTo(LedgerState.FAILED);
        assertThat(entry.errorCode()).isEqualTo("DBS.200823");
        assertThat(entry.httpStatus()).isEqualTo(400);
        assertThat(entry.retryable()).isFalse();

        assertThat(ledger.claim(request(id(), key), NOW.plusSeconds(60))).isInstanceOf(Claim.Won.class);
        assertThat(ledger.claim(request(failed, key), NOW.plusSeconds(61))).isInstanceOfSatisfying(Claim.Repeated.class,
                r -> assertThat(r.original().state()).isEqualTo(LedgerState.FAILED));
    }

    @Test
    void rejectedRequestsAreRememberedAndBlockNothing() {
        String id = id();
        NewRequest rejected = request(id, null);
        Claim first = ledger.recordRejected(rejected, "VALIDATION_FAILED", "[{\"field\":\"$.project_id\"}]", "1 rule broken", NOW, "replica-a");
        assertThat(first).isInstanceOfSatisfying(Claim.Won.class, won -> {
            assertThat(won.entry().state()).isEqualTo(LedgerState.REJECTED);
            assertThat(won.entry().firstStatus()).isEqualTo(LedgerState.REJECTED);
            assertThat(won.entry().errorDetails()).contains("$.project_id");
        });
        assertThat(ledger.recordRejected(rejected, "VALIDATION_FAILED", "[]", "x", NOW, "replica-a")).isInstanceOf(Claim.Redelivered.class);
        assertThat(ledger.recordRejected(request(id, null), "VALIDATION_FAILED", "[]", "x", NOW, "replica-a")).isInstanceOf(Claim.Repeated.class);
    }

    @Test
    void aClaimOlderThanTheWindowNoLongerBlocks() {
        String key = key();
        String old = submitted(key, "j");

        Instant later = NOW.plus(WINDOW).plusSeconds(1);
        assertThat(ledger.claim(request(id(), key), later)).isInstanceOf(Claim.Won.class);
    }

    @Test
    void purgeForgetsWhatIsOlderThanTheWindow() {
        String key = key();
        String old = submitted(key, "j");
        String young = id();
        ledger.claim(new NewRequest(young, key(), "p", "i", "{}", null, null, null, "s", "e", NOW.plus(WINDOW)),
                NOW.plus(WINDOW));

        int purged = ledger.purge(NOW.plusSeconds(1), 1000);

        assertThat(purged).isGreaterThanOrEqualTo(2);
        assertThat(ledger.find(old)).isEmpty();
        assertThat(ledger.find(young)).isPresent();
        assertThat(ledger.claim(request(id(), key), NOW.plusSeconds(2))).as("its key is free").isInstanceOf(Claim.Won.class);
    }

    @Test
    void anExpiredLeaseTurnsSubmittingIntoUnknown() {
        String id = id();
        ledger.claim(request(id, key()), NOW);

        assertThat(ledger.expireLease(id, "the service stopped mid-call", NOW.plus(LEASE).minusSeconds(1))).isEmpty();
        assertThat(ledger.renewLease(id, token(id), NOW.plus(LEASE).plusSeconds(10), NOW.plusSeconds(5))).isTrue();
        assertThat(ledger.expireLease(id, "the service stopped mid-call", NOW.plus(LEASE).plusSeconds(1))).isEmpty();

        String token = token(id);
        LedgerEntry unknown = ledger.expireLease(id, "the service stopped mid-call", NOW.plus(LEASE).plusSeconds(10)).orElseThrow();
        assertThat(unknown.state()).isEqualTo(LedgerState.UNKNOWN);
        assertThat(unknown.firstStatus()).isEqualTo(LedgerState.UNKNOWN);
        assertThat(unknown.errorMessage()).isEqualTo("the service stopped mid-call");
        assertThat(ledger.renewLease(id, token, NOW.plus(Duration.ofHours(1)), NOW)).as("no longer submitting").isFalse();
    }

    @Test
    void theFirstResultIsMarkedPublished() {
        String id = id();
        ledger.claim(request(id, key()), NOW);
        assertThat(ledger.find(id).orElseThrow().firstResultPublished()).isFalse();
        ledger.markFirstResultPublished(id);
        assertThat(ledger.find(id).orElseThrow().firstResultPublished()).isTrue();
    }

    @Test
    void recentListsNewestFirstWithFilters() {
        String instance = "0000000000000000000000000000" + UUID.randomUUID().toString().substring(0, 4) + "in07";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = id();
            ids.add(id);
            ledger.claim(new NewRequest(id, key(), "p", instance, "{}", null, null, null, "s" + id, "e",
                    NOW.plusSeconds(i)), NOW.plusSeconds(i));
        }
        ledger.recordOutcome(ids.get(1), token(ids.get(1)), new Outcome.Submitted("j", 1, NOW, NOW));

        assertThat(ledger.recent(instance, null, 10)).extracting(LedgerEntry::requestId)
                .containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(ledger.recent(instance, LedgerState.SUBMITTED, 10)).extracting(LedgerEntry::requestId)
                .containsExactly(ids.get(1));
        assertThat(ledger.recent(instance, null, 2)).hasSize(2);
    }

    @Test
    void manyThreadsClaimingOneRestoreHaveExactlyOneWinner() throws Exception {
        String key = key();
        List<Claim> claims = concurrently(24, i -> ledger.claim(request(id(), key), NOW));
        assertThat(claims).filteredOn(Claim.Won.class::isInstance).hasSize(1);
        assertThat(claims).filteredOn(Claim.DuplicateOf.class::isInstance).hasSize(23);
    }

    @Test
    void manyThreadsReusingOneRequestIdHaveExactlyOneWinner() throws Exception {
        String id = id();
        List<Claim> claims = concurrently(24, i -> ledger.claim(request(id, key()), NOW));
        assertThat(claims).filteredOn(Claim.Won.class::isInstance).hasSize(1);
        assertThat(claims).filteredOn(Claim.Repeated.class::isInstance).hasSize(23);
    }

    @Test
    void ofWorkersResumingOneReceivedRequestExactlyOneWins() throws Exception {
        String id = id();
        ledger.claim(request(id, key()), NOW);
        assertThat(ledger.relinquish(id, token(id), NOW)).isTrue();
        LedgerEntry received = ledger.find(id).orElseThrow();
        assertThat(received.state()).isEqualTo(LedgerState.RECEIVED);

        List<Claim> claims = concurrently(24, i -> ledger.resumeClaim(received, received.source(), NOW));

        assertThat(claims).filteredOn(Claim.Won.class::isInstance).hasSize(1);
        assertThat(claims).filteredOn(Claim.Redelivered.class::isInstance).hasSize(23)
                .allSatisfy(c -> assertThat(((Claim.Redelivered) c).entry().state()).isEqualTo(LedgerState.SUBMITTING));
        String winner = ((Claim.Won) claims.stream().filter(Claim.Won.class::isInstance).findFirst().orElseThrow())
                .entry().leaseToken();
        assertThat(token(id)).isEqualTo(winner);
    }

    @Test
    void anotherRecordCarryingTheSameUnclaimedRequestResumesIt() {
        String key = key();
        String id = relinquished(key, "requests-0@1");

        assertThat(ledger.claim(request(id, key, "requests-dlq-0@5"), NOW)).as("same request, replayed")
                .isInstanceOf(Claim.Redelivered.class);
        assertThat(ledger.claim(request(id, key(), "requests-1@9"), NOW)).as("same id, another restore")
                .isInstanceOf(Claim.Repeated.class);
    }

    @Test
    void aRecordWhoseUnclaimedRequestWasTakenOverIsARepeat() {
        String key = key();
        String id = relinquished(key, "requests-0@1");
        LedgerEntry first = ledger.find(id).orElseThrow();

        assertThat(ledger.claim(request(id, key, "requests-3@7"), NOW)).as("the same request in another record")
                .isInstanceOf(Claim.Redelivered.class);
        assertThat(ledger.resumeClaim(first, "requests-0@1", NOW)).as("the record it was taken from, still at work")
                .isInstanceOf(Claim.Repeated.class);
        assertThat(ledger.resumeClaim(first, "requests-3@7", NOW)).isInstanceOf(Claim.Won.class);
        assertThat(ledger.claim(request(id, key, "requests-0@1"), NOW)).as("the first record, delivered again")
                .isInstanceOf(Claim.Repeated.class);
    }

    @Test
    void ofRecordsCarryingOneRequestAtOnceOneWinsAndEveryOtherIsARepeat() throws Exception {
        // Records repeating one request (same id, same restore) on several partitions, claimed at the same moment:
        // each follows the pipeline's protocol (an unclaimed request it took over is resumed under its own record).
        String id = id();
        String key = key();
        List<Claim> claims = concurrently(24, i -> {
            String source = "requests-" + i + "@" + i;
            Claim claim = ledger.claim(request(id, key, source), NOW);
            // As the pipeline does: resume for as long as the request stays unclaimed (bounded in time, not in
            // rounds: on a loaded machine 24 threads can spin through many rounds before the winner's claim lands).
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (claim instanceof Claim.Redelivered again && again.entry().state() == LedgerState.RECEIVED
                    && System.nanoTime() < until) {
                claim = ledger.resumeClaim(again.entry(), source, NOW);
            }
            return claim;
        });
        assertThat(claims).filteredOn(Claim.Won.class::isInstance).hasSize(1);
        assertThat(claims).as("every other record is answered as a repeat of it")
                .filteredOn(Claim.Repeated.class::isInstance).hasSize(23);
    }

    @Test
    void theConsoleFindsRequestsByEveryFilterCountsThemAndPicksThoseThatNeedAPerson() {
        // Rows of their own: received long after every other test's, on an instance of their own.
        Instant later = NOW.plus(Duration.ofDays(3650));
        String instance = instance();
        String prefix = "find_" + UUID.randomUUID().toString().substring(0, 8);
        java.util.function.BiFunction<String, Integer, NewRequest> at = (id, minutes) -> new NewRequest(id, key(),
                "97b026aa9cc4417888c14c84a1ad9860", instance, "{}", minutes % 2 == 0 ? "bot-a" : "bot-b", "why", null,
                "requests-0@" + UUID.randomUUID(), UUID.randomUUID().toString(), later.plus(Duration.ofMinutes(minutes)));
        ledger.claim(at.apply(prefix + "-submitted", 1), later);
        ledger.recordOutcome(prefix + "-submitted", token(prefix + "-submitted"),
                new Outcome.Submitted("job-1", 1, later, later));
        ledger.claim(at.apply(prefix + "-unknown", 2), later);
        ledger.recordOutcome(prefix + "-unknown", token(prefix + "-unknown"), new Outcome.Unknown("lost", 1, later));
        ledger.claim(at.apply(prefix + "-failed-retryable", 3), later);
        ledger.recordOutcome(prefix + "-failed-retryable", token(prefix + "-failed-retryable"),
                new Outcome.Failed("DBS.108000", "Server failure.", 500, true, 3, later));
        ledger.claim(at.apply(prefix + "-failed-for-good", 4), later);
        ledger.recordOutcome(prefix + "-failed-for-good", token(prefix + "-failed-for-good"),
                new Outcome.Failed("DBS.200823", "No such database.", 400, false, 1, later));
        NewRequest denied = at.apply(prefix + "-denied", 5);
        ledger.recordRejected(new NewRequest(denied.requestId(), null, denied.projectId(), denied.instanceId(), "{}",
                "bot-b", null, null, denied.source(), denied.firstResultId(), denied.receivedAt()), "POLICY_DENIED", "[]",
                "not allowed", later, "replica-a");
        // A request_id with LIKE's pattern characters is matched as typed.
        ledger.recordRejected(at.apply(prefix + "_%x", 6), "VALIDATION_FAILED", "[]", "bad", later, "replica-a");

        assertThat(ledger.search(new LedgerSearch(prefix, null, null, List.of(), null, null, null), 0, 50))
                .extracting(LedgerEntry::requestId).as("newest first").containsExactly(prefix + "_%x", prefix + "-denied",
                        prefix + "-failed-for-good", prefix + "-failed-retryable", prefix + "-unknown", prefix + "-submitted");
        assertThat(ledger.search(new LedgerSearch(prefix + "_%", null, null, List.of(), null, null, null), 0, 50))
                .extracting(LedgerEntry::requestId).containsExactly(prefix + "_%x");
        assertThat(ledger.search(new LedgerSearch(null, instance, "97b026aa9cc4417888c14c84a1ad9860",
                List.of(LedgerState.FAILED, LedgerState.UNKNOWN), "bot-a", null, null), 0, 50))
                .extracting(LedgerEntry::requestId).containsExactly(prefix + "-failed-for-good", prefix + "-unknown");
        assertThat(ledger.search(new LedgerSearch(null, instance, null, List.of(), null,
                later.plus(Duration.ofMinutes(2)), later.plus(Duration.ofMinutes(4))), 0, 50))
                .extracting(LedgerEntry::requestId).containsExactly(prefix + "-failed-retryable", prefix + "-unknown");
        assertThat(ledger.search(new LedgerSearch(null, instance, null, List.of(), null, null, null), 2, 2))
                .extracting(LedgerEntry::requestId).as("the second page of two")
                .containsExactly(prefix + "-failed-for-good", prefix + "-failed-retryable");

        assertThat(ledger.countsSince(later)).containsEntry(LedgerState.SUBMITTED, 1L).containsEntry(LedgerState.UNKNOWN, 1L)
                .containsEntry(LedgerState.FAILED, 2L).containsEntry(LedgerState.REJECTED, 2L).hasSize(4);
        assertThat(ledger.needingAttention(later, 50)).extracting(LedgerEntry::requestId)
                .containsExactly(prefix + "-denied", prefix + "-failed-retryable", prefix + "-unknown");
    }

    @Test
    void aLaterResultIsPublishedByWhoRecordedItAndByNoTrackerMeanwhile() {
        // A request that waited in its instance's line: its SUBMITTED is a later result, published by the replica
        // that sent it. A job tracker (here another replica's) must not publish it as well in the meantime.
        IdempotencyLedger other = new JdbcIdempotencyLedger(dataSource(), WINDOW, LEASE, "owner-2");
        String id = onInstance(instance(), true, NOW);
        ledger.markFirstResultPublished(id);
        LedgerEntry taken = ledger.takeFromQueue(id, true, NOW).orElseThrow();
        LedgerEntry submitted = ledger.recordOutcome(id, taken.leaseToken(),
                new Outcome.Submitted("job-after-the-line", 1, NOW, NOW)).orElseThrow();
        assertThat(submitted.trackEventPublished()).isFalse();

        assertThat(other.claimDueJobs(NOW, NOW, Duration.ofSeconds(30), 10_000)).extracting(LedgerEntry::requestId)
                .as("being published by the replica that recorded it").doesNotContain(id);
        Instant lapsed = NOW.plus(LedgerRows.PUBLISH_LEASE).plusSeconds(1);
        assertThat(other.claimDueJobs(lapsed, lapsed,
                Duration.ofSeconds(30), 10_000)).extracting(LedgerEntry::requestId)
                .as("after a crash: any tracker publishes it once the lease lapsed").contains(id);

        String second = onInstance(instance(), true, NOW);
        ledger.markFirstResultPublished(second);
        LedgerEntry sent = ledger.recordOutcome(second, ledger.takeFromQueue(second, true, NOW).orElseThrow().leaseToken(),
                new Outcome.Submitted("job-2", 1, NOW, NOW)).orElseThrow();
        ledger.markTrackingPublished(second, sent.trackEventId());
        assertThat(ledger.find(second).orElseThrow().trackerLeaseUntil()).as("published: the lease is given back").isNull();
        assertThat(other.claimDueJobs(NOW.plusSeconds(1), NOW.plusSeconds(1), Duration.ofSeconds(30), 10_000))
                .extracting(LedgerEntry::requestId).as("and its job is polled as any other").contains(second);
    }

    /** A request for that instance, claimed (SUBMITTING) and, when {@code queued}, put in the instance's line. */
    private String onInstance(String instance, boolean queued, Instant at) {
        String id = id();
        ledger.claim(new NewRequest(id, key(), "97b026aa9cc4417888c14c84a1ad9860", instance, "{}", "bot", null, null,
                "requests-0@" + UUID.randomUUID(), UUID.randomUUID().toString(), at), at);
        if (queued) {
            ledger.park(id, token(id), "the job ahead", null, at.plus(Duration.ofHours(1)), 0, at).orElseThrow();
        }
        return id;
    }

    @Test
    void aQueuedRequestLeavesItsLineOnlyOnceItsQueuedResultIsPublished() {
        String id = onInstance(instance(), true, NOW);
        assertThat(ledger.takeFromQueue(id, true, NOW)).as("QUEUED not yet published").isEmpty();
        ledger.markFirstResultPublished(id);
        assertThat(ledger.takeFromQueue(id, true, NOW)).hasValueSatisfying(e ->
                assertThat(e.state()).isEqualTo(LedgerState.SUBMITTING));
    }

    @Test
    void aFreeInstancesHeadIsFoundBehindManyLinesBlockedByWorkingInstances() {
        Instant early = NOW.minus(Duration.ofHours(2));
        for (int i = 0; i < 60; i++) {
            String blocked = instance();
            String ahead = onInstance(blocked, true, early);
            onInstance(blocked, false, early.plusSeconds(1)); // being sent: the instance is working
            ledger.markFirstResultPublished(ahead);
        }
        String free = instance();
        String waiting = onInstance(free, true, NOW);
        List<LedgerEntry> heads = ledger.queueHeads(NOW.plusSeconds(1), true, 50);
        assertThat(heads).extracting(LedgerEntry::requestId).contains(waiting);
        assertThat(heads).allSatisfy(h -> assertThat(ledger.instanceWorking(h.instanceId(), true)).isFalse());
        ledger.recheckLater(waiting, NOW.plusSeconds(30));
        assertThat(ledger.queueHeads(NOW.plusSeconds(1), true, 50)).extracting(LedgerEntry::requestId)
                .as("its look at the instance is not due yet").doesNotContain(waiting);
        assertThat(ledger.queueHeads(NOW.plusSeconds(31), true, 50)).extracting(LedgerEntry::requestId)
                .contains(waiting);
    }

    @Test
    void twoReplicasNeverGiveTwoRequestsOfOneInstanceOnePlaceNorReleaseThemTogether() throws Exception {
        IdempotencyLedger other = new JdbcIdempotencyLedger(dataSource(), WINDOW, LEASE, "owner-2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                String instance = instance();
                String first = onInstance(instance, false, NOW);
                String second = onInstance(instance, false, NOW);
                String firstToken = token(first);
                String secondToken = token(second);
                // Both were claimed at once and each saw the other being sent: both go to the line at once.
                CyclicBarrier together = new CyclicBarrier(2);
                var parkedFirst = pool.submit(() -> {
                    together.await();
                    return ledger.park(first, firstToken, "the other", null, NOW.plusSeconds(3600), 0, NOW);
                });
                var parkedSecond = pool.submit(() -> {
                    together.await();
                    return other.park(second, secondToken, "the other", null, NOW.plusSeconds(3600), 0, NOW);
                });
                long firstPlace = parkedFirst.get().orElseThrow().queuePosition();
                long secondPlace = parkedSecond.get().orElseThrow().queuePosition();
                assertThat(firstPlace).as("round %d: one place each", round).isNotEqualTo(secondPlace);
                ledger.markFirstResultPublished(first);
                ledger.markFirstResultPublished(second);

                // Both replicas' queue ticks try to release both at once: one request leaves the line.
                CyclicBarrier release = new CyclicBarrier(4);
                List<Future<Optional<LedgerEntry>>> takes = new ArrayList<>();
                ExecutorService takers = Executors.newFixedThreadPool(4);
                try {
                    for (IdempotencyLedger replica : List.of(ledger, other)) {
                        for (String id : List.of(first, second)) {
                            takes.add(takers.submit(() -> {
                                release.await();
                                return replica.takeFromQueue(id, true, NOW);
                            }));
                        }
                    }
                    int taken = 0;
                    for (var take : takes) {
                        taken += take.get().isPresent() ? 1 : 0;
                    }
                    assertThat(taken).as("round %d: one release for the instance", round).isEqualTo(1);
                } finally {
                    takers.shutdownNow();
                }
                String head = firstPlace < secondPlace ? first : second;
                assertThat(ledger.find(head).orElseThrow().state()).as("the head leaves first")
                        .isEqualTo(LedgerState.SUBMITTING);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A job followed by this ledger's tracker, its first result published and its poll due. */
    private LedgerEntry trackedJob(String id, Instant at) {
        ledger.claim(request(id, key()), NOW);
        ledger.recordOutcome(id, token(id), new Outcome.Submitted("job-" + id, 1, NOW, NOW));
        ledger.markFirstResultPublished(id);
        return ledger.claimDueJobs(at, at, Duration.ofSeconds(30), 10_000).stream()
                .filter(e -> e.requestId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void whateverStringsTheCloudAnswersAPollIsRecorded() {
        io.gaussrestore.tracking.TrackingRules rules = new io.gaussrestore.tracking.TrackingRules(
                Duration.ofSeconds(10), 0.2, Duration.ofMinutes(1), Duration.ofHours(6));
        Instant at = NOW.plusSeconds(5);
        String running = id();
        String long_ = "{\"job\":{\"id\":\"job-" + running + "\",\"status\":\"Running" + "g".repeat(100)
                + "\",\"process\":\"45.12345678901234567890%\"}}";
        io.gaussrestore.ledger.TrackingUpdate update = io.gaussrestore.tracking.JobPollDecision.decide(
                trackedJob(running, at), new io.gaussrestore.cloud.ApiResult.Success(200, long_, "x"), at, rules, 0.5);
        assertThat(ledger.recordTracking(running, update, at)).as("a status and progress longer than their columns")
                .hasValueSatisfying(e -> {
                    assertThat(e.jobStatus()).hasSize(32).startsWith("Runningg");
                    assertThat(e.progress()).isEqualTo("45.1234567890123");
                });

        String failed = id();
        String nul = "{\"job\":{\"id\":\"job-" + failed + "\",\"status\":\"Failed\",\"process\":\"\",\"fail_reason\":"
                + "\"table \\u0000orders\\u0007 is gone" + "!".repeat(5000) + "\"}}";
        update = io.gaussrestore.tracking.JobPollDecision.decide(trackedJob(failed, at),
                new io.gaussrestore.cloud.ApiResult.Success(200, nul, "x"), at, rules, 0.5);
        assertThat(ledger.recordTracking(failed, update, at)).as("a fail reason with NUL, longer than a result holds")
                .hasValueSatisfying(e -> {
                    assertThat(e.state()).isEqualTo(LedgerState.FAILED);
                    assertThat(e.errorMessage()).contains("table \uFFFDorders\uFFFD is gone").doesNotContain("\u0000")
                            .contains("[truncated from");
                });
    }

    @Test
    void aStaleLeaseTokenCanChangeNothing() {
        IdempotencyLedger other = new JdbcIdempotencyLedger(dataSource(), WINDOW, LEASE, "owner-2");
        String id = id();
        ledger.claim(request(id, key()), NOW);
        String first = token(id);
        ledger.relinquish(id, first, NOW);
        LedgerEntry taken = ((Claim.Won) other.resumeClaim(ledger.find(id).orElseThrow(), ledger.find(id).orElseThrow().source(), NOW)).entry();
        assertThat(taken.leaseOwner()).isEqualTo("owner-2");

        assertThat(ledger.renewLease(id, first, NOW.plusSeconds(60), NOW)).isFalse();
        assertThat(ledger.relinquish(id, first, NOW)).isFalse();
        assertThat(ledger.recordOutcome(id, first, new Outcome.Submitted("job-stale", 1, NOW, NOW))).isEmpty();
        assertThat(other.renewLease(id, taken.leaseToken(), NOW.plusSeconds(60), NOW)).isTrue();
        assertThat(other.recordOutcome(id, taken.leaseToken(), new Outcome.Submitted("job-1", 1, NOW, NOW)))
                .hasValueSatisfying(e -> assertThat(e.jobId()).isEqualTo("job-1"));
    }

    @Test
    void theFirstResultKeptIsTheOneAnsweredEveryTime() {
        String id = id();
        ledger.claim(request(id, key()), NOW);
        assertThat(ledger.takeFirstPublication(id, "{\"status\":\"SUBMITTED\",\"n\":1}", true, "a", NOW))
                .contains("{\"status\":\"SUBMITTED\",\"n\":1}");
        Instant lapsed = NOW.plus(LedgerRows.PUBLISH_LEASE).plusSeconds(1);
        assertThat(ledger.takeFirstPublication(id, "{\"status\":\"SUBMITTED\",\"n\":2}", true, "b", lapsed))
                .as("the first publisher died: the next one publishes the very same bytes")
                .contains("{\"status\":\"SUBMITTED\",\"n\":1}");
        assertThat(ledger.find(id).orElseThrow().firstResultJson()).isEqualTo("{\"status\":\"SUBMITTED\",\"n\":1}");
    }

    @Test
    void aFirstResultIsPublishedByOneOwnerOfTheRecordAtATime() {
        // A rebalance can hand the same record to a second replica while the first is publishing its result: the
        // second must wait for it, not publish it as well.
        IdempotencyLedger other = new JdbcIdempotencyLedger(dataSource(), WINDOW, LEASE, "owner-2");
        String id = submitted(key(), "job-1");

        assertThat(ledger.takeFirstPublication(id, "{\"job\":1}", true, "replica-a", NOW)).contains("{\"job\":1}");
        assertThat(other.takeFirstPublication(id, "{\"job\":1}", true, "replica-b", NOW.plusSeconds(1)))
                .as("held by the replica publishing it").isEmpty();
        assertThat(ledger.takeFirstPublication(id, "{\"job\":1}", true, "replica-a", NOW.plusSeconds(1)))
                .as("its holder retrying (the ledger failed in between) takes it again").contains("{\"job\":1}");
        Instant lapsed = NOW.plus(LedgerRows.PUBLISH_LEASE).plusSeconds(1);
        ledger.markFirstResultPublished(id);
        assertThat(other.takeFirstPublication(id, "{\"job\":1}", true, "replica-b", lapsed))
                .as("published: nobody publishes it again, even after the hold's time").isEmpty();

        String crashed = submitted(key(), "job-2");
        assertThat(ledger.takeFirstPublication(crashed, "{\"job\":2}", true, "replica-a", NOW)).isPresent();
        assertThat(other.takeFirstPublication(crashed, "{\"job\":2}", true, "replica-b", lapsed))
                .as("its publisher died: the hold lapsed").contains("{\"job\":2}");

        String rejected = id();
        assertThat(ledger.recordRejected(request(rejected, null), "VALIDATION_FAILED", "[]", "1 rule broken", NOW,
                "replica-a")).as("recorded with its first publication held for its recorder")
                .isInstanceOfSatisfying(Claim.Won.class, won -> assertThat(won.firstPublicationHeld()).isTrue());
        assertThat(other.takeFirstPublication(rejected, "{\"rejected\":true}", false, "replica-b", NOW.plusSeconds(1)))
                .as("held from the statement that recorded it").isEmpty();
        assertThat(ledger.takeFirstPublication(rejected, "{\"rejected\":true}", false, "replica-a", NOW))
                .as("a result rebuilt from the row is not kept").contains("{\"rejected\":true}");
        assertThat(ledger.find(rejected).orElseThrow().firstResultJson()).isNull();
        assertThat(other.takeFirstPublication(rejected, "{\"rejected\":true}", false, "replica-b", NOW)).isEmpty();
        String orphan = id();
        ledger.recordRejected(request(orphan, null), "VALIDATION_FAILED", "[]", "1 rule broken", NOW, "replica-a");
        assertThat(other.takeFirstPublication(orphan, "{\"rejected\":true}", false, "replica-b", lapsed))
                .as("its recorder died before publishing it: the hold lapsed").contains("{\"rejected\":true}");
        String valid = id();
        assertThat(ledger.claim(request(valid, key()), NOW)).as("a claim to send holds no publication yet")
                .isInstanceOfSatisfying(Claim.Won.class, won -> assertThat(won.firstPublicationHeld()).isFalse());
    }

    @Test
    void firstResultsAreNotedAsPublishedManyAtATime() {
        List<String> published = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = id();
            ledger.claim(request(id, key()), NOW);
            ledger.recordOutcome(id, token(id), new Outcome.Submitted("job-" + i, 1, NOW, NOW)).orElseThrow();
            assertThat(ledger.takeFirstPublication(id, "{\"job\":" + i + "}", true, "replica-a", NOW)).isPresent();
            published.add(id);
        }
        String notYet = submitted(key(), "job-later");

        ledger.markFirstResultsPublished(published);
        ledger.markFirstResultsPublished(List.of());

        assertThat(published).allSatisfy(id -> assertThat(ledger.find(id).orElseThrow().firstResultPublished()).isTrue());
        Instant lapsed = NOW.plus(LedgerRows.PUBLISH_LEASE).plusSeconds(1);
        assertThat(published).as("published: nobody publishes them again")
                .allSatisfy(id -> assertThat(ledger.takeFirstPublication(id, "{}", true, "replica-b", lapsed)).isEmpty());
        assertThat(ledger.find(notYet).orElseThrow().firstResultPublished()).as("only those named").isFalse();
    }

    @Test
    void theDatabaseClockCorrectsASkewedLocalClock() {
        java.time.Clock skewed = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-3));
        DatabaseClock clock = new DatabaseClock(dataSource(), skewed);
        assertThat(clock.synchronise()).isTrue();
        assertThat(Duration.between(Instant.now(), clock.instant()).abs()).isLessThan(Duration.ofSeconds(5));
        assertThat(clock.offset()).isBetween(Duration.ofHours(3).minusSeconds(5), Duration.ofHours(3).plusSeconds(5));
    }

    @Test
    void theStoreAnswers() {
        assertThat(ledger.ping()).isTrue();
    }

    interface Attempt {
        Claim run(int index) throws Exception;
    }

    private static List<Claim> concurrently(int threads, Attempt attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Claim>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return attempt.run(index);
                }));
            }
            start.countDown();
            List<Claim> claims = new ArrayList<>();
            for (Future<Claim> future : futures) {
                claims.add(future.get());
            }
            return claims;
        } finally {
            pool.shutdownNow();
        }
    }
}
