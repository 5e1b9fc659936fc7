package io.gaussrestore.throttling;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.simulator.SimulatorSettings;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.gaussrestore.testing.ProfileSettings;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Throttling, busy instances, lost answers, outages and concurrency, against the simulator on a real broker. */
@QuarkusTest
@TestProfile(ResilienceTest.ResilienceProfile.class)
class ResilienceTest {

    @Inject
    GaussDbSimulator simulator;

    @AfterEach
    void resetSimulator() {
        given().baseUri(io.gaussrestore.testing.InProcessSimulator.URL).delete("/simulator").then().statusCode(204);
    }

    private static String project() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static String instance(String tag, int i) {
        return "%s%04din07".formatted(tag, i);
    }

    private static String send(String project, String instance, String requestId) {
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, project, instance, Instant.now().minusSeconds(3600).toEpochMilli()));
        return requestId;
    }

    /** The request's outcome: its first result other than QUEUED (a request may wait in its instance's line). */
    private static JsonNode first(String requestId) {
        return TestTopics.resultValues(requestId).stream().filter(r -> !r.get("status").asText().equals("QUEUED"))
                .findFirst().orElseThrow();
    }

    private static boolean allAnswered(List<String> ids) {
        return ids.stream().allMatch(id -> TestTopics.resultValues(id).stream()
                .anyMatch(r -> !r.get("status").asText().equals("QUEUED")));
    }

    private List<JournalEntry> journal(String project, String operation) {
        return simulator.journal().stream()
                .filter(e -> project.equals(e.projectId()) && e.operation().equals(operation)).toList();
    }

    /** Sends {@code count} restores of the project spread over {@code instances} instances; their ids, in order. */
    private static List<String> sendSpread(String project, String tag, int count, int instances, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(send(project, instance(tag, i % instances), prefix + "-" + i + "-" + tag));
        }
        return ids;
    }

    @Test
    @Tag("drill")
    void twoHundredRequestsUnderAThrottlingGatewayAllGetThrough() {
        String project = project();
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 28);
        // The simulator's gateway allows 60 calls per 6 s (600 a minute); the service is configured at 1,200.
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, 60, Duration.ofSeconds(6), null, null, null));
        Instant start = Instant.now();
        List<String> ids = sendSpread(project, tag, 200, 20, "throttled");
        await().atMost(Duration.ofMinutes(2)).until(() -> allAnswered(ids));
        Duration took = Duration.between(start, Instant.now());

        Map<String, Long> statuses = ids.stream().map(id -> first(id).get("status").asText())
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        List<JournalEntry> calls = simulator.journal().stream().filter(e -> project.equals(e.projectId())).toList();
        List<JournalEntry> throttled = calls.stream().filter(e -> e.status() == 429).toList();
        Instant firstThrottle = throttled.isEmpty() ? start : throttled.get(0).receivedAt();
        long lateThrottles = throttled.stream().filter(e -> e.receivedAt().isAfter(firstThrottle.plusSeconds(10))).count();
        int busiestLateWindow = busiestWindow(calls.stream().filter(e -> e.status() != 429)
                .filter(e -> e.receivedAt().isAfter(firstThrottle.plusSeconds(10))).toList(), Duration.ofSeconds(6));
        System.out.printf("throttling: 200 requests in %d ms; %s; %d calls reached the gateway, %d answered 429 "
                        + "(%d of them more than 10 s after the first); busiest 6 s window after adaptation: %d calls "
                        + "(limit 60, i.e. %d a minute against a limit of 600)%n",
                took.toMillis(), statuses, calls.size(), throttled.size(), lateThrottles, busiestLateWindow,
                busiestLateWindow * 10);

        assertThat(statuses).containsOnlyKeys("SUBMITTED").containsEntry("SUBMITTED", 200L);
        assertThat(lateThrottles).as("429s once the budget adapted").isLessThan(10);
        assertThat(throttled).as("a wrong limit costs a few 429s, not a storm").hasSizeLessThan(30);
        assertThat(busiestLateWindow).as("the rate the gateway saw after adaptation").isLessThanOrEqualTo(60);
    }

    private static int busiestWindow(List<JournalEntry> calls, Duration window) {
        List<Instant> times = calls.stream().map(JournalEntry::receivedAt).sorted().toList();
        int most = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (times.get(from).isBefore(times.get(to).minus(window))) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }

    @Test
    void aBusyInstanceIsWaitedForInLineAndTheRestoreSentOnceItIsActive() {
        String project = project();
        String instance = instance(UUID.randomUUID().toString().replace("-", "").substring(0, 28), 1);
        simulator.update(new SimulatorSettings.Patch(null, Duration.ofSeconds(3), null, null, null, null, null, null));
        GaussDbSimulator.Handled busy = simulator.handle(GaussDbSimulator.Call.of("restore", "POST", "/other-client",
                project, instance, "local-dev-token", Map.of(), """
                        {"restore_time": "%d", "restore_tables": [{"database": "d", "tables": [{"old_name": "a", "new_name": "b"}]}]}
                        """.formatted(Instant.now().minusSeconds(600).toEpochMilli())));
        assertThat(busy.response().status()).isEqualTo(200);
        Instant otherJobEnds = Instant.now().plusSeconds(3);

        String requestId = send(project, instance, "busy-" + UUID.randomUUID());

        await().atMost(Duration.ofSeconds(30)).until(() -> TestTopics.results(requestId).size() >= 2);
        JsonNode queued = TestTopics.resultValues(requestId).get(0);
        assertThat(queued.get("status").asText()).isEqualTo("QUEUED");
        assertThat(queued.get("queue").get("waiting_for").asText()).contains("busy").contains("DBS.200019");
        JsonNode result = TestTopics.resultValues(requestId).get(1);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(result.get("attempts").asInt()).isEqualTo(2);
        List<JournalEntry> posts = journal(project, "restore").stream().filter(e -> !e.path().equals("/other-client")).toList();
        assertThat(posts).extracting(JournalEntry::status).containsExactly(409, 200);
        assertThat(posts.get(1).receivedAt()).as("the second POST only after the instance was ACTIVE")
                .isAfterOrEqualTo(otherJobEnds.minusMillis(200));
        List<JournalEntry> looks = journal(project, "instance");
        assertThat(looks).isNotEmpty();
        assertThat(looks.get(looks.size() - 1).receivedAt()).isBefore(posts.get(1).receivedAt());
    }

    @Test
    void aLostAnswerToAPostThatStartedAJobIsNeverSentAgain() {
        String project = project();
        String instance = instance(UUID.randomUUID().toString().replace("-", "").substring(0, 28), 2);
        // The job runs long; the answer comes after the service's 1 s read timeout.
        simulator.update(new SimulatorSettings.Patch(null, Duration.ofSeconds(30), null, null, null, null,
                Duration.ofSeconds(2), null));

        String requestId = send(project, instance, "lost-" + UUID.randomUUID());
        await().atMost(Duration.ofSeconds(20)).until(() -> !journal(project, "restore").isEmpty());
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, Duration.ZERO, null));

        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.results(requestId).isEmpty());
        JsonNode result = first(requestId);
        assertThat(result.get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(result.get("error").get("message").asText()).contains("RESTORING").contains("not sent again");
        assertThat(journal(project, "restore")).as("one POST, one job").hasSize(1);
        assertThat(simulator.restoringInstances()).contains(instance);
    }

    @Test
    @Tag("drill")
    void anOutagePausesConsumptionAndEverythingIsSubmittedAfterItInOrder() {
        String project = project();
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 28);
        given().baseUri(io.gaussrestore.testing.InProcessSimulator.URL).queryParam("seconds", 15).post("/simulator/outage").then().statusCode(200);
        Instant outageEnds = Instant.now().plusSeconds(15);
        Map<String, List<String>> sentByInstance = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 5; i++) {
                String id = send(project, instance(tag, i), "outage-" + i + "-" + round + "-" + tag);
                ids.add(id);
                sentByInstance.computeIfAbsent(instance(tag, i), k -> new ArrayList<>()).add(id);
            }
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> Metrics.value("gaussdb_restore_circuit_open") == 1.0);
        io.gaussrestore.testing.Api.management().get("/q/health/ready").then().statusCode(503);
        assertThat(ids.stream().filter(id -> !TestTopics.results(id).isEmpty())).as("nothing answered during the outage").isEmpty();

        await().atMost(Duration.ofMinutes(2)).until(() -> allAnswered(ids));
        assertThat(Instant.now()).isAfter(outageEnds);
        assertThat(ids).allSatisfy(id -> assertThat(first(id).get("status").asText()).as(id).isEqualTo("SUBMITTED"));
        assertThat(Metrics.value("gaussdb_restore_circuit_open")).isEqualTo(0.0);
        Map<String, String> requestByJob = ids.stream().collect(Collectors.toMap(id -> first(id).get("job_id").asText(), id -> id));
        sentByInstance.forEach((instance, sent) -> {
            List<String> accepted = journal(project, "restore").stream()
                    .filter(e -> e.status() == 200 && instance.equals(e.instanceId()))
                    .sorted(Comparator.comparing(JournalEntry::receivedAt))
                    .map(e -> requestByJob.get(e.jobId())).toList();
            assertThat(accepted).as("per-instance order on " + instance).containsExactlyElementsOf(sent);
        });
        System.out.printf("outage: 20 requests held for the 15 s outage, all SUBMITTED %d ms after it ended; "
                        + "%d calls answered 503%n", Duration.between(outageEnds, Instant.now()).toMillis(),
                simulator.journal().stream().filter(e -> project.equals(e.projectId()) && e.status() == 503).count());
    }

    @Test
    void oneRestoreAtATimePerInstanceManyInstancesAtOnce() {
        String project = project();
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 28);
        simulator.update(new SimulatorSettings.Patch(null, Duration.ofMillis(100), null, null, null, null,
                Duration.ofMillis(300), null));
        Instant start = Instant.now();
        List<String> ids = sendSpread(project, tag, 100, 10, "parallel");
        await().atMost(Duration.ofMinutes(1)).until(() -> allAnswered(ids));
        Duration took = Duration.between(start, Instant.now());

        assertThat(ids).allSatisfy(id -> assertThat(first(id).get("status").asText()).isEqualTo("SUBMITTED"));
        Map<String, List<JournalEntry>> postsByInstance = journal(project, "restore").stream()
                .collect(Collectors.groupingBy(JournalEntry::instanceId));
        assertThat(postsByInstance).hasSize(10);
        postsByInstance.forEach((instance, posts) -> {
            List<JournalEntry> sorted = posts.stream().sorted(Comparator.comparing(JournalEntry::receivedAt)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).receivedAt()).as("no two restores in flight on " + instance)
                        .isAfterOrEqualTo(sorted.get(i - 1).respondedAt());
            }
        });
        System.out.printf("concurrency: 100 requests over 10 instances at 300 ms per call took %d ms (serially %d ms)%n",
                took.toMillis(), 100 * 300);
        assertThat(took).isLessThan(Duration.ofSeconds(15));
    }

    /** The service configured at twice the simulator's limit, with short timeouts, backoffs and circuit pauses. */
    public static class ResilienceProfile extends SimulatorBackedProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ProfileSettings.simulatorBacked("resilience").untracked().jobs("PT0.2S", "PT0S")
                    .with("restore.gaussdb.read-timeout", "PT1S").with("restore.queue.check-interval", "PT0.5S")
                    // Retries: a long deadline, short pauses, a second of grace for an ambiguous answer.
                    .with("restore.retry.deadline", "PT5M").with("restore.retry.initial-backoff", "PT0.1S")
                    .with("restore.retry.max-backoff", "PT2S").with("restore.retry.ambiguous-grace", "PT1S")
                    // A gateway budget the tests can exceed, and a circuit that opens after five failures.
                    .with("restore.throttling.rate-per-minute", "1200").with("restore.throttling.burst", "20")
                    .with("restore.throttling.floor-per-minute", "60")
                    .with("restore.throttling.circuit-failure-threshold", "5")
                    .with("restore.throttling.circuit-open-for", "PT2S").map();
        }
    }
}
