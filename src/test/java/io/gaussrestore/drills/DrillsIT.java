package io.gaussrestore.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault drills on real processes (see {@link DrillStack}). Each drill prints its figures, computed from the
 * result topic and the simulator's journal only, appends them to {@code target/drills/results.md}, and fails when
 * a guarantee breaks. The suite runs a short version; {@code deploy/drills.sh} runs the full one
 * ({@code -Ddrills.full=true}): 5,000 requests and 5 kills, 30 s without the broker or the ledger, a 5-minute
 * cloud outage, a 429 storm watched for 5 minutes, 500 requests with lost answers, 100 jobs whose tracker dies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillsIT {

    private static final boolean FULL = Drills.FULL;
    private static final Random RANDOM = Drills.RANDOM;
    /** The broker and ledger outages: how many requests go through one, and how long it lasts. */
    private static final int FAULT_REQUESTS = FULL ? 1_000 : 200;
    private static final Duration FAULT_LENGTH = Duration.ofSeconds(FULL ? 30 : 10);

    @RegisterExtension
    static final DrillStack.PerClass STACK = new DrillStack.PerClass();

    private static DrillStack stack() {
        return STACK.get();
    }

    // ---- the drills -----------------------------------------------------------------------------------

    @Test
    @Order(1)
    void crashStorm() throws Exception {
        int total = FULL ? 5_000 : 400;
        int kills = FULL ? 5 : 2;
        Batch batch = Batch.withDuplicates("storm", total, 0.2);
        long started = System.nanoTime();
        batch.send(stack());
        List<Integer> killPoints = new ArrayList<>();
        for (int k = 1; k <= kills; k++) {
            // Random moments, spread over the run: after between (k-1)/kills and k/kills of the results.
            killPoints.add((int) (total * 0.9 * (k - 1 + RANDOM.nextDouble() * 0.8) / kills));
        }
        for (int point : killPoints) {
            await().atMost(Duration.ofMinutes(5)).until(() -> stack().topics.results().size() >= point);
            int victim = RANDOM.nextInt(2);
            stack().killReplica(victim);
            System.out.printf("crash storm: SIGKILL of replica %d after %d results%n", victim, stack().topics.results().size());
            stack().startReplica(victim);
        }
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(FULL ? 15 : 5));
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        List<JsonNode> journal = stack().journal();
        Verdict verdict = Verdict.of(batch, results, journal);
        long overlapping = Outcomes.overlappingPolls(journal, Outcomes.jobIds(results));

        Drills.report("crash storm", "%d requests (%d duplicates), %d SIGKILLs, %d s: outcomes %s; requests without a result %d; "
                        + "with two different results %d; restores with two jobs %d (most POSTs for one restore %d); "
                        + "UNKNOWN %d (bound: %d in flight per kill); polls of one job by two replicas at once %d",
                total, batch.duplicates, kills, seconds, verdict.counts, verdict.unanswered, verdict.contradictions.size(),
                verdict.doubled, verdict.mostPosts, verdict.unknown, DrillStack.MAX_IN_FLIGHT, overlapping);
        verdict.assertNothingLostOrDoubled();
        assertThat(overlapping).as("no job polled by two replicas at once").isZero();
        assertThat(verdict.unknown).as("UNKNOWN only for requests in flight at the kills")
                .isLessThanOrEqualTo((long) kills * DrillStack.MAX_IN_FLIGHT);
        assertThat(verdict.counts.getOrDefault("FAILED", 0L) + verdict.counts.getOrDefault("REJECTED", 0L)).isZero();
    }

    @Test
    @Order(2)
    void brokerDown() throws Exception {
        Batch batch = Batch.unique("broker", FAULT_REQUESTS);
        long[] pids = {stack().replica(0).pid(), stack().replica(1).pid()};
        FaultRun run = throughFault(batch, FAULT_LENGTH, stack().broker::kill, stack().broker::restart);
        Verdict verdict = Verdict.of(batch, run.results(), stack().journal());
        boolean sameProcesses = stack().replica(0).pid() == pids[0] && stack().replica(1).pid() == pids[1]
                && stack().replica(0).readiness() == 200 && stack().replica(1).readiness() == 200;

        Drills.report("broker down", "%d requests, broker SIGKILLed for %d s: readiness seen during it %s; all settled %d s after "
                        + "it came back, no replica restarted: %s; outcomes %s; without a result %d; two different results %d; "
                        + "restores with two jobs %d", FAULT_REQUESTS, FAULT_LENGTH.toSeconds(), run.readinessSeen(), run.settledAfter(),
                sameProcesses, verdict.counts, verdict.unanswered, verdict.contradictions.size(), verdict.doubled);
        verdict.assertNothingLostOrDoubled();
        assertThat(run.readinessSeen()).as("readiness during the broker's absence").contains(503);
        assertThat(sameProcesses).as("both replicas recovered by themselves").isTrue();
        assertThat(verdict.counts.getOrDefault("FAILED", 0L)).isZero();
    }

    @Test
    @Order(3)
    void ledgerDown() throws Exception {
        Batch batch = Batch.unique("ledger", FAULT_REQUESTS);
        int deadLettersBefore = stack().topics.deadLetterRecords().size();
        FaultRun run = throughFault(batch, FAULT_LENGTH, stack().ledgerProxy::cut, stack().ledgerProxy::restore);
        List<JsonNode> journal = stack().journal();
        Verdict verdict = Verdict.of(batch, run.results(), journal);
        Set<String> jobsStarted = Outcomes.posts(journal, batch.instances).stream()
                .filter(p -> p.path("status").asInt() == 200).map(p -> p.get("job_id").asText()).collect(Collectors.toSet());
        Set<String> unclaimed = new HashSet<>(jobsStarted);
        unclaimed.removeAll(stack().ledgerJobIds());
        int deadLetters = stack().topics.deadLetterRecords().size() - deadLettersBefore;

        Drills.report("ledger down", "%d requests, PostgreSQL cut for %d s (longer than the 5 s lease): POSTs during the cut %d (claimed before it; bound %d), "
                        + "jobs started without their claim in the ledger %d, dead letters %d, readiness seen %s; all settled "
                        + "%d s after; outcomes %s; without a result %d; two different results %d; restores with two jobs %d",
                FAULT_REQUESTS, FAULT_LENGTH.toSeconds(), run.postsDuringFault(), 2 * DrillStack.MAX_IN_FLIGHT, unclaimed.size(), deadLetters,
                run.readinessSeen(), run.settledAfter(), verdict.counts, verdict.unanswered, verdict.contradictions.size(),
                verdict.doubled);
        verdict.assertNothingLostOrDoubled();
        assertThat(run.postsDuringFault()).isLessThanOrEqualTo(2 * DrillStack.MAX_IN_FLIGHT);
        assertThat(unclaimed).as("jobs started without their claim").isEmpty();
        assertThat(deadLetters).as("the consumer pauses rather than dead-lettering").isZero();
        // A request whose answer came while the ledger was away, longer than the drill's 5 s lease, is UNKNOWN.
        assertThat(verdict.unknown).isLessThanOrEqualTo(2L * DrillStack.MAX_IN_FLIGHT);
        assertThat(verdict.counts.getOrDefault("FAILED", 0L)).isZero();
    }

    /** One step of a fault: breaking a component or bringing it back. */
    private interface FaultStep {
        void run() throws Exception;
    }

    /** What a batch went through: readiness meanwhile, POSTs the cloud saw meanwhile, and how it all settled. */
    private record FaultRun(Set<Integer> readinessSeen, int postsDuringFault, long settledAfter,
            Map<String, List<Outcomes.Result>> results) {}

    /**
     * Sends the batch, breaks a component once a third of it has results, keeps it broken for {@code down} while
     * watching both replicas' readiness, mends it, and waits until every request is settled.
     */
    private static FaultRun throughFault(Batch batch, Duration down, FaultStep breakIt, FaultStep mendIt) throws Exception {
        batch.send(stack());
        int before = stack().topics.results().size();
        await().atMost(Duration.ofMinutes(2)).until(() -> stack().topics.results().size()
                >= before + batch.recordsPerId.size() / 3);
        breakIt.run();
        Instant broken = Instant.now();
        Set<Integer> readinessSeen = new HashSet<>();
        int postsDuringFault;
        try {
            int postsAtStart = Outcomes.posts(stack().journal(), batch.instances).size();
            while (Duration.between(broken, Instant.now()).compareTo(down) < 0) {
                readinessSeen.add(stack().replica(0).readiness());
                readinessSeen.add(stack().replica(1).readiness());
                Thread.sleep(500);
            }
            postsDuringFault = Outcomes.posts(stack().journal(), batch.instances).size() - postsAtStart;
        } finally {
            mendIt.run();
        }
        Instant back = Instant.now();
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(FULL ? 5 : 3));
        return new FaultRun(readinessSeen, postsDuringFault, Duration.between(back, Instant.now()).toSeconds(), results);
    }

    @Test
    @Order(4)
    void cloudOutage() throws Exception {
        int total = FULL ? 500 : 100;
        Duration outage = Duration.ofSeconds(FULL ? 300 : 60);
        stack().simulatorPost("/simulator/outage?seconds=" + outage.toSeconds());
        Instant start = Instant.now();
        Batch batch = Batch.unique("outage", total);
        batch.send(stack());
        Set<Integer> readinessSeen = new HashSet<>();
        while (Duration.between(start, Instant.now()).compareTo(outage) < 0) {
            readinessSeen.add(stack().replica(0).readiness());
            readinessSeen.add(stack().replica(1).readiness());
            Thread.sleep(1000);
        }
        Instant end = start.plus(outage);
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(3));
        Verdict verdict = Verdict.of(batch, results, stack().journal());
        Instant lastSubmitted = results.values().stream().flatMap(List::stream)
                .filter(r -> r.status().equals("SUBMITTED")).map(Outcomes.Result::at).max(Instant::compareTo).orElse(end);
        long afterEnd = Math.max(0, Duration.between(end, lastSubmitted).toSeconds());

        Drills.report("cloud outage", "%d requests during a %d s outage (every call 503): readiness seen during it %s; outcomes %s; "
                        + "last SUBMITTED %d s after the outage ended; without a result %d; restores with two jobs %d",
                total, outage.toSeconds(), readinessSeen, verdict.counts, afterEnd, verdict.unanswered, verdict.doubled);
        verdict.assertNothingLostOrDoubled();
        assertThat(verdict.counts).containsOnlyKeys("SUBMITTED");
        assertThat(readinessSeen).as("the circuit opens and readiness says so").contains(503);
        assertThat(afterEnd).as("all SUBMITTED within a minute of the outage's end").isLessThanOrEqualTo(60);
    }

    @Test
    @Order(7)
    // Last: the replicas remember the limit it teaches them for 10 minutes, which would slow the drills after it.
    void rateLimitStorm() throws Exception {
        // The gateway's limit drops to a tenth while requests queue up; the replicas adapt to the limit each 429
        // states. Suite: 10 s windows (about 100 calls watched); full: the gateway's one-minute windows, watched
        // from 2 minutes after the drop to 7 minutes.
        Duration window = Duration.ofSeconds(FULL ? 60 : 10);
        int highLimit = FULL ? 600 : 400;
        int lowLimit = highLimit / 10;
        Duration settle = Duration.ofSeconds(FULL ? 120 : 20);
        Duration watch = Duration.ofSeconds(FULL ? 300 : 30);
        stack().patchSimulator("{\"throttle_per_minute\": %d, \"throttle_window\": \"%s\"}".formatted(highLimit, window));
        try {
            // Enough for a backlog through the watch at a tenth of the limit, not so many that the rest takes long.
            int total = FULL ? 200 : 90;
            Batch batch = Batch.unique("storm429", total);
            batch.send(stack());
            int before = stack().topics.results().size();
            await().atMost(Duration.ofMinutes(2)).until(() -> stack().topics.results().size() >= before + total / 10);
            stack().patchSimulator("{\"throttle_per_minute\": %d}".formatted(lowLimit));
            Instant drop = Instant.now();
            await().atMost(settle.plus(watch).plusSeconds(30)).until(() ->
                    Duration.between(drop, Instant.now()).compareTo(settle.plus(watch)) >= 0
                            || Outcomes.allSettled(Outcomes.byRequest(stack().topics.results(), batch.recordsPerId.keySet()),
                            batch.recordsPerId));
            List<JsonNode> journal = stack().journal();
            Instant from = drop.plus(settle);
            List<JsonNode> watched = journal.stream()
                    .filter(e -> Instant.parse(e.get("received_at").asText()).isAfter(from)).toList();
            long calls = watched.size();
            long throttled = watched.stream().filter(e -> e.path("status").asInt() == 429).count();
            List<JsonNode> watchedPosts = Outcomes.posts(watched, batch.instances);
            long postsThrottled = watchedPosts.stream().filter(e -> e.path("status").asInt() == 429).count();
            double seconds = Math.max(1, Duration.between(from, Instant.now()).toMillis() / 1000.0);
            double used = calls / (seconds / window.toSeconds()) / lowLimit;
            stack().patchSimulator("{\"throttle_per_minute\": 0, \"throttle_window\": \"PT1M\"}");
            // The replicas keep to the learned limit for 10 minutes after its last 429: the rest goes slowly.
            Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(FULL ? 15 : 4));
            Verdict verdict = Verdict.of(batch, results, stack().journal());

            Drills.report("429 storm", "%d requests; gateway limit %d then %d calls per %d s: from %d s after the drop on, "
                            + "%d calls (%.0f%% of the limit), 429 share %.2f%% of all calls and %.2f%% of %d restore POSTs; "
                            + "outcomes %s; without a result %d; restores with two jobs %d",
                    total, highLimit, lowLimit, window.toSeconds(), settle.toSeconds(), calls, 100 * used,
                    100.0 * throttled / Math.max(1, calls), 100.0 * postsThrottled / Math.max(1, watchedPosts.size()),
                    watchedPosts.size(), verdict.counts, verdict.unanswered, verdict.doubled);
            verdict.assertNothingLostOrDoubled();
            assertThat(verdict.counts.getOrDefault("FAILED", 0L)).isZero();
            assertThat(100.0 * throttled / Math.max(1, calls)).as("429 share once adapted").isLessThan(1.0);
        } finally {
            stack().patchSimulator("{\"throttle_per_minute\": 0, \"throttle_window\": \"PT1M\"}");
        }
    }

    @Test
    @Order(5)
    void lostAnswers() throws Exception {
        int total = FULL ? 500 : 100;
        // Jobs outlive the look that follows a lost answer, so the instance can tell whether one started.
        stack().patchSimulator("{\"job_duration\": \"PT30S\"}");
        stack().simulatorPost("/simulator/lost-answers?before=0.1&after=0.1&hold=PT5S");
        try {
            Batch batch = Batch.unique("lost", total);
            batch.send(stack());
            Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(3));
            List<JsonNode> posts = Outcomes.posts(stack().journal(), batch.instances);
            Verdict verdict = Verdict.of(batch, results, stack().journal());
            Set<String> lostAfter = posts.stream().filter(p -> p.path("lost").asText().equals("after"))
                    .map(p -> p.get("instance_id").asText()).collect(Collectors.toSet());
            long lostBefore = posts.stream().filter(p -> p.path("lost").asText().equals("before")).count();
            Set<String> unknownInstances = batch.instancesOf(verdict.outcomes, "UNKNOWN");
            Map<String, Integer> jobs = Outcomes.jobsPerRestore(posts);

            Drills.report("lost answers", "%d requests, 10%% of POSTs time out before the job starts (%d) and 10%% after (%d): "
                            + "outcomes %s; restores with exactly one job %d of %d; UNKNOWN %d, all where a job had started "
                            + "unseen: %s", total, lostBefore, lostAfter.size(), verdict.counts,
                    jobs.values().stream().filter(c -> c == 1).count(), total, unknownInstances.size(),
                    lostAfter.containsAll(unknownInstances));
            verdict.assertNothingLostOrDoubled();
            assertThat(jobs).as("one job per restore").hasSize(total).allSatisfy((restore, count) -> assertThat(count).isEqualTo(1));
            assertThat(lostAfter).as("UNKNOWN exactly where a job started and its answer was lost")
                    .isEqualTo(unknownInstances);
        } finally {
            stack().simulatorPost("/simulator/lost-answers?before=0&after=0&hold=PT0S");
            stack().patchSimulator("{\"job_duration\": \"PT2S\"}");
        }
    }

    @Test
    @Order(6)
    void trackerFailover() throws Exception {
        int total = FULL ? 100 : 30;
        Duration job = Duration.ofSeconds(FULL ? 60 : 20);
        stack().patchSimulator("{\"job_duration\": \"%s\"}".formatted(job));
        try {
            // Replica 1 stops, so that replica 0 submits and follows every job; then replica 1 comes back and
            // replica 0 is killed while the jobs run.
            stack().stopReplica(1);
            Batch batch = Batch.unique("tracker", total);
            batch.send(stack());
            await().atMost(Duration.ofMinutes(2)).until(() -> batch.instancesOf(Outcomes.outcome(
                    Outcomes.byRequest(stack().topics.results(), batch.recordsPerId.keySet())), "SUBMITTED").size() == total);
            stack().startReplica(1);
            stack().killReplica(0);
            Instant killed = Instant.now();
            Map<String, List<Outcomes.Result>> results = new HashMap<>();
            await().atMost(job.plus(Duration.ofMinutes(2))).pollInterval(Duration.ofSeconds(1)).until(() -> {
                results.clear();
                results.putAll(Outcomes.byRequest(stack().topics.results(), batch.recordsPerId.keySet()));
                return batch.recordsPerId.keySet().stream().allMatch(id -> results.getOrDefault(id, List.of()).stream()
                        .anyMatch(r -> r.status().equals("COMPLETED") || r.status().equals("FAILED")));
            });
            long after = Duration.between(killed, Instant.now()).toSeconds();
            stack().startReplica(0);
            long terminalTwice = results.values().stream().filter(list -> list.stream()
                    .filter(r -> r.status().equals("COMPLETED") || r.status().equals("FAILED"))
                    .map(Outcomes.Result::ceId).distinct().count() != 1).count();
            long overlapping = Outcomes.overlappingPolls(stack().journal(), Outcomes.jobIds(results));

            Drills.report("tracker failover", "%d jobs of %d s followed by one replica, SIGKILLed while they ran: every job's "
                            + "terminal result %d s after the kill; jobs with other than one terminal result %d; polls of one job "
                            + "overlapping %d", total, job.toSeconds(), after, terminalTwice, overlapping);
            assertThat(terminalTwice).isZero();
            assertThat(overlapping).as("no job polled by two replicas at once").isZero();
        } finally {
            stack().patchSimulator("{\"job_duration\": \"PT2S\"}");
        }
    }
}
