package io.gaussrestore.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The long-outage and shutdown drills on real processes (see {@link DrillStack}): short ledger blips under load,
 * a graceful stop of both replicas while their requests wait for the rate budget, a ledger cut longer than the
 * transient-retry deadline (so records are dead-lettered after their claim), and records of hostile shape. Each
 * counts lost, doubled and invented-UNKNOWN requests from the result topic and the simulator's journal only.
 * The suite runs a short version; {@code deploy/drills.sh} the full one ({@code -Ddrills.full=true}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageDrillsIT {

    private static final boolean FULL = Drills.FULL;

    @RegisterExtension
    static final DrillStack.PerClass STACK = new DrillStack.PerClass();

    private static DrillStack stack() {
        return STACK.get();
    }

    /** The requests of the batch whose records went to the dead-letter topic since the count given. */
    private static Set<String> deadLetteredIds(Batch batch, int deadLettersBefore) {
        Set<String> ids = new HashSet<>();
        List<ConsumerRecord<byte[], byte[]>> all = stack().topics.deadLetterRecords();
        for (ConsumerRecord<byte[], byte[]> record : all.subList(deadLettersBefore, all.size())) {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            batch.recordsPerId.keySet().stream().filter(id -> value.contains("\"request_id\": \"" + id + "\""))
                    .findFirst().ifPresent(ids::add);
        }
        return ids;
    }

    /** Requests that ended UNKNOWN although the cloud never received a POST for their restore: invented. */
    private static Set<String> unknownWithoutPost(Batch batch, Verdict verdict, List<JsonNode> journal) {
        Set<String> posted = Outcomes.posts(journal, batch.instances).stream()
                .map(p -> p.path("instance_id").asText()).collect(Collectors.toSet());
        Set<String> invented = new HashSet<>(batch.instancesOf(verdict.outcomes, "UNKNOWN"));
        invented.removeAll(posted);
        return invented;
    }

    @Test
    @Order(1)
    void ledgerBlips() throws Exception {
        int total = FULL ? 1_000 : 200;
        int blips = FULL ? 15 : 6;
        Batch batch = Batch.unique("blips", total);
        batch.send(stack());
        int before = stack().topics.results().size();
        await().atMost(Duration.ofMinutes(2)).until(() -> stack().topics.results().size() >= before + total / 10);
        long cutMillis = 0;
        for (int i = 0; i < blips; i++) {
            long cut = 1_000 + Drills.RANDOM.nextInt(1_000);
            stack().ledgerProxy.cut();
            Thread.sleep(cut);
            stack().ledgerProxy.restore();
            cutMillis += cut;
            Thread.sleep(2_000);
        }
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(FULL ? 8 : 4));
        List<JsonNode> journal = stack().journal();
        Verdict verdict = Verdict.of(batch, results, journal);
        Set<String> invented = unknownWithoutPost(batch, verdict, journal);

        Drills.report("ledger blips", "%d requests, %d PostgreSQL cuts of 1-2 s (%d ms in all) under load: outcomes %s; "
                        + "UNKNOWN without any POST %d; without a result %d; two different results %d; restores with two jobs %d",
                total, blips, cutMillis, verdict.counts, invented.size(), verdict.unanswered, verdict.contradictions.size(),
                verdict.doubled);
        verdict.assertNothingLostOrDoubled();
        assertThat(invented).as("UNKNOWN invented: no POST ever left for them").isEmpty();
        assertThat(verdict.counts.getOrDefault("FAILED", 0L)).isZero();
    }

    @Test
    @Order(2)
    void sigtermDuringRateWaits() throws Exception {
        int total = 20;
        // The replicas' budget is 6 POSTs a minute, one at a time: most requests wait for it, claimed.
        Map<String, String> slow = Map.of("RESTORE_RATE_PER_MINUTE", "6", "RESTORE_THROTTLING_BURST", "1");
        both(index -> stack().stopReplica(index));
        both(index -> stack().startReplica(index, slow));
        Batch batch = Batch.unique("sigterm", total);
        batch.send(stack());
        String prefix = batch.recordsPerId.keySet().iterator().next().replaceAll("-\\d+$", "-");
        // One has gone out, and most of the others are claimed and asleep in the rate wait.
        await().atMost(Duration.ofMinutes(1)).until(() -> batch.instancesOf(Outcomes.outcome(
                Outcomes.byRequest(stack().topics.results(), batch.recordsPerId.keySet())), "SUBMITTED").size() >= 1
                && stack().countInState(prefix, "SUBMITTING") >= total * 3 / 4);
        int waiting = stack().countInState(prefix, "SUBMITTING");
        Instant stopped = Instant.now();
        int submittedBefore = batch.instancesOf(Outcomes.outcome(
                Outcomes.byRequest(stack().topics.results(), batch.recordsPerId.keySet())), "SUBMITTED").size();
        both(index -> stack().stopReplica(index)); // SIGTERM, both at once
        long stopSeconds = Duration.between(stopped, Instant.now()).toSeconds();
        // Both are gone: what the stop left in the ledger is what the next owners find.
        int givenBack = stack().countInState(prefix, "RECEIVED");
        int stillClaimed = stack().countInState(prefix, "SUBMITTING");
        both(index -> stack().startReplica(index));
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), batch, Duration.ofMinutes(2));
        List<JsonNode> journal = stack().journal();
        Verdict verdict = Verdict.of(batch, results, journal);
        Map<String, Integer> posts = Outcomes.postsPerRestore(Outcomes.posts(journal, batch.instances));

        Drills.report("SIGTERM during rate waits", "%d requests under a budget of 6 POSTs a minute, both replicas stopped "
                        + "gracefully after %d SUBMITTED with %d claimed and waiting (stop took %d s, given back %d, left "
                        + "claimed %d), then started again: outcomes %s; UNKNOWN %d; without a result %d; POSTs per restore at "
                        + "most %d, restores with other than one POST %d", total, submittedBefore, waiting, stopSeconds,
                givenBack, stillClaimed, verdict.counts,
                verdict.unknown, verdict.unanswered, Outcomes.most(posts),
                total - posts.values().stream().filter(c -> c == 1).count());
        verdict.assertNothingLostOrDoubled();
        assertThat(verdict.unknown).as("a graceful stop turns no waiting request into UNKNOWN").isZero();
        assertThat(verdict.counts).containsOnlyKeys("SUBMITTED");
        assertThat(posts).as("one POST per restore").hasSize(total).allSatisfy((restore, count) ->
                assertThat(count).isEqualTo(1));
        // Every claim counted waiting was given back, but one: the budget lets one POST leave every 10 s, so one
        // may have gone out between the count and the stop, and its claim may still be held at the stop.
        assertThat(givenBack).as("the stop gave back the waiting claims").isGreaterThanOrEqualTo(waiting - 1);
        assertThat(stillClaimed).as("claims left to lapse by the stop").isLessThanOrEqualTo(1);
    }

    @Test
    @Order(3)
    void longLedgerCut() throws Exception {
        // Longer than the transient-retry deadline, so records in flight are dead-lettered after their claim.
        Duration cut = FULL ? Duration.ofMinutes(15) : Duration.ofSeconds(50);
        // UNKNOWN is the honest end of a request whose POST left but whose answer could not be recorded before its
        // record was dead-lettered; none may be invented for a request that sent nothing.
        Map<String, String> settings = FULL
                ? Map.of("RESTORE_LEDGER_ORPHAN_SWEEP_INTERVAL", "PT5S")
                : Map.of("RESTORE_LEDGER_TRANSIENT_RETRY_DEADLINE", "PT20S", "RESTORE_LEDGER_ORPHAN_SWEEP_INTERVAL", "PT5S");
        both(index -> stack().stopReplica(index));
        both(index -> stack().startReplica(index, settings));
        // Slow answers keep requests between their claim and their outcome when the cut comes.
        stack().patchSimulator("{\"latency\": \"PT2S\"}");
        try {
            int total = FULL ? 1_000 : 200;
            Batch batch = Batch.unique("longcut", total);
            int deadLettersBefore = stack().topics.deadLetterRecords().size();
            batch.send(stack());
            int before = stack().topics.results().size();
            await().atMost(Duration.ofMinutes(2)).until(() -> stack().topics.results().size() >= before + total / 3);
            stack().ledgerProxy.cut();
            Thread.sleep(cut.toMillis());
            stack().ledgerProxy.restore();
            Instant back = Instant.now();
            // A record dead-lettered before its request was recorded is answered by the dead-letter topic alone (a
            // replay would serve it); one dead-lettered after its claim left a row half-done: the sweep finishes it.
            Set<String> deadLettered = new HashSet<>();
            Set<String> neverRecorded = new HashSet<>();
            await().atMost(Duration.ofMinutes(FULL ? 10 : 4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                deadLettered.clear();
                deadLettered.addAll(deadLetteredIds(batch, deadLettersBefore));
                neverRecorded.clear();
                for (String id : deadLettered) {
                    if (stack().ledgerRow(id).equals("no row")) {
                        neverRecorded.add(id);
                    }
                }
                Batch rest = batch.without(neverRecorded);
                return Outcomes.allSettled(Outcomes.byRequest(stack().topics.results(), rest.recordsPerId.keySet()),
                        rest.recordsPerId);
            });
            Batch answerable = batch.without(neverRecorded);
            Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), answerable, Duration.ofSeconds(10));
            long settledAfter = Duration.between(back, Instant.now()).toSeconds();
            List<JsonNode> journal = stack().journal();
            Verdict verdict = Verdict.of(answerable, results, journal);
            Set<String> invented = unknownWithoutPost(answerable, verdict, journal);
            // Every POST the cloud saw was made under a claim: its request has a row past RECEIVED (a job whose answer
            // came while the ledger was away has its request UNKNOWN, without the job_id).
            Map<String, String> requestOf = new java.util.HashMap<>();
            batch.instanceOf.forEach((id, instance) -> requestOf.put(instance, id));
            Set<String> unclaimed = new HashSet<>();
            for (JsonNode post : Outcomes.posts(journal, batch.instances)) {
                String id = requestOf.get(post.path("instance_id").asText());
                String row = stack().ledgerRow(id);
                if (row.equals("no row") || row.startsWith("state=RECEIVED")) {
                    unclaimed.add(id);
                }
            }
            Matcher sweptIds = Pattern.compile("request (" + Pattern.quote(batch.recordsPerId.keySet().iterator().next()
                    .replaceAll("-\\d+$", "-")) + "\\d+) was left").matcher(
                    stack().logLinesAbout("finishing it here", Integer.MAX_VALUE));
            Set<String> sweptSet = new HashSet<>();
            while (sweptIds.find()) {
                sweptSet.add(sweptIds.group(1));
            }
            long swept = sweptSet.size();
            long resultsOfNeverRecorded = neverRecorded.stream()
                    .filter(id -> !Outcomes.byRequest(stack().topics.results(), Set.of(id)).getOrDefault(id, List.of())
                            .isEmpty()).count();

            Drills.report("long ledger cut", "%d requests, PostgreSQL cut for %d s under load (transient-retry deadline %s): "
                            + "dead letters %d (%d before their request was recorded, answered by the dead-letter topic "
                            + "alone; %d after their claim), finished by the orphan sweep %d; all settled %d s after the "
                            + "cut; outcomes %s; UNKNOWN without any POST %d; POSTs without their claim %d; without a result "
                            + "or a dead letter %d; two different results %d; restores with two jobs %d",
                    total, cut.toSeconds(), FULL ? "PT10M" : "PT20S", deadLettered.size(), neverRecorded.size(),
                    deadLettered.size() - neverRecorded.size(), swept, settledAfter,
                    verdict.counts, invented.size(), unclaimed.size(), verdict.unanswered, verdict.contradictions.size(),
                    verdict.doubled);
            verdict.assertNothingLostOrDoubled();
            assertThat(invented).as("UNKNOWN invented: no POST ever left for them").isEmpty();
            assertThat(unclaimed).as("POSTs made without their claim").isEmpty();
            assertThat(verdict.counts.getOrDefault("FAILED", 0L)).isZero();
            assertThat(resultsOfNeverRecorded).as("a request never recorded has no result besides its dead letter")
                    .isZero();
        } finally {
            stack().patchSimulator("{\"latency\": \"PT0S\"}");
            both(index -> stack().stopReplica(index));
            both(index -> stack().startReplica(index));
        }
    }

    @Test
    @Order(4)
    void hostileRecords() throws Exception {
        int copies = FULL ? 12 : 4;
        int deadLettersBefore = stack().topics.deadLetterRecords().size();
        String run = "hostile-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            String id = run + "-empty-" + i;
            ids.add(id);
            StringBuilder body = new StringBuilder("{\"request_id\":\"").append(id).append("\",\"restore_tables\":[");
            for (int k = 0; k < 329_940; k++) {
                body.append(k == 0 ? "{}" : ",{}");
            }
            stack().topics.send(id, body.append("]}").toString());
            String deep = run + "-deep-" + i;
            stack().topics.send(deep, "{\"request_id\":\"" + deep + "\",\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        }
        Batch valid = Batch.unique(run + "-valid", 20);
        valid.send(stack());
        Map<String, List<Outcomes.Result>> results = Drills.awaitSettled(stack(), valid, Duration.ofMinutes(3));
        await().atMost(Duration.ofMinutes(2)).until(() -> ids.stream().allMatch(id ->
                !Outcomes.byRequest(stack().topics.results(), Set.of(id)).getOrDefault(id, List.of()).isEmpty()));
        Map<String, List<Outcomes.Result>> rejected = Outcomes.byRequest(stack().topics.results(), new HashSet<>(ids));
        boolean bothUp = stack().replica(0).alive() && stack().replica(1).alive()
                && stack().replica(0).readiness() == 200 && stack().replica(1).readiness() == 200;
        Verdict verdict = Verdict.of(valid, results, stack().journal());
        long rejectedOnce = rejected.values().stream().filter(list -> list.size() == 1
                && list.get(0).status().equals("REJECTED")).count();
        int deadLetters = stack().topics.deadLetterRecords().size() - deadLettersBefore;

        Drills.report("hostile records", "%d records of 330,000 empty objects and %d nested 200,000 deep, then 20 valid "
                        + "requests: both replicas up and ready %s; hostile records REJECTED once %d of %d; dead letters "
                        + "%d; valid outcomes %s; without a result %d", copies, copies, bothUp, rejectedOnce, copies,
                deadLetters, verdict.counts, verdict.unanswered);
        assertThat(bothUp).as("no replica died").isTrue();
        assertThat(rejectedOnce).isEqualTo(copies);
        verdict.assertNothingLostOrDoubled();
        assertThat(verdict.counts).containsOnlyKeys("SUBMITTED");
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private interface ReplicaStep {
        void run(int index) throws Exception;
    }

    /** Runs a step on both replicas at once (a stop of one alone would move its partitions to the other). */
    private static void both(ReplicaStep step) throws Exception {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            int replica = index;
            steps.add(CompletableFuture.runAsync(() -> {
                try {
                    step.run(replica);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).join();
    }

}
