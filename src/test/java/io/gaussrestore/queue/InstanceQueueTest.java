package io.gaussrestore.queue;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.statuses;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.simulator.SimulatorSettings;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Requests for a busy instance wait in its line in the ledger, holding nothing, while other instances are served;
 * against the simulator (one operation per instance, 409 DBS.200019 otherwise) through the real broker.
 */
@QuarkusTest
@TestProfile(InstanceQueueTest.QueueProfile.class)
public class InstanceQueueTest {

    /** The simulator-backed service with a retry deadline far shorter than the waits. */
    public static class QueueProfile extends SimulatorBackedProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            java.util.Map<String, String> config = super.getConfigOverrides();
            config.put("restore.ledger.jdbc-url", "jdbc:h2:mem:instance-queue;DB_CLOSE_DELAY=-1");
            config.put("restore.retry.deadline", "PT5S");
            return config;
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    GaussDbSimulator simulator;

    @Inject
    io.gaussrestore.ledger.LedgerStore store;

    @AfterEach
    void shortJobsAgain() {
        jobsTake(Duration.ofSeconds(10));
        jobsAreSeenAfter(Duration.ofSeconds(2));
    }

    private void jobsAreSeenAfter(Duration delay) {
        simulator.update(new SimulatorSettings.Patch(null, null, null, delay, null, null, null, null));
    }

    private void jobsTake(Duration duration) {
        simulator.update(new SimulatorSettings.Patch(null, duration, null, null, null, null, null, null));
    }

    private static String send(String instance, String prefix) {
        String requestId = prefix + "-" + UUID.randomUUID();
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_%s"}]}]}
                """.formatted(requestId, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli(),
                requestId.replace("-", "").substring(0, 20)));
        return requestId;
    }

    private static JsonNode awaitStatus(String requestId, String status) {
        await().atMost(WAIT).until(() -> statuses(requestId).contains(status));
        return TestTopics.resultValues(requestId).stream().filter(r -> r.get("status").asText().equals(status))
                .findFirst().orElseThrow();
    }

    private List<JournalEntry> posts(String instance) {
        return simulator.journal().stream()
                .filter(e -> e.operation().equals("restore") && instance.equals(e.instanceId())).toList();
    }

    /** Sends a request for each of three fresh instances and answers the slowest time to its SUBMITTED result. */
    private static Duration othersServed() {
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            ids.add(send(instance(), "other"));
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> statuses(id).contains("SUBMITTED")));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void cancelAll(List<String> ids) {
        ids.forEach(id -> io.gaussrestore.testing.Api.asBot().post("/restores/" + id + "/cancel"));
    }

    /** An instance whose restore runs for five minutes, and the request that started it. */
    private record Busy(String instance, String first) {}

    private Busy busyInstance() {
        return busyInstance(Duration.ofMinutes(5), "first");
    }

    /** A fresh instance whose jobs take {@code jobLength}, with a first request {@code name} SUBMITTED on it. */
    private Busy busyInstance(Duration jobLength, String name) {
        jobsTake(jobLength);
        String busy = instance();
        String first = send(busy, name);
        awaitStatus(first, "SUBMITTED");
        return new Busy(busy, first);
    }

    @Test
    void otherInstancesAreServedWhileOneInstanceHasALongLine() {
        Busy running = busyInstance();
        String busy = running.instance();
        String first = running.first();
        List<String> line = new ArrayList<>();
        double queuedBefore = Metrics.value("gaussdb_restore_requests_total", "outcome=\"queued\"");
        for (int i = 0; i < 20; i++) {
            line.add(send(busy, "line"));
        }
        await().atMost(WAIT).until(() -> line.stream().allMatch(id -> statuses(id).contains("QUEUED")));
        for (int i = 0; i < line.size(); i++) {
            JsonNode queued = TestTopics.resultValues(line.get(i)).get(0);
            assertThat(queued.get("status").asText()).isEqualTo("QUEUED");
            assertThat(queued.get("queue").get("place").asInt()).as("place of the %d-th", i + 1).isEqualTo(i + 1);
        }
        JsonNode head = TestTopics.resultValues(line.get(0)).get(0).get("queue");
        assertThat(head.get("waiting_for").asText()).contains(first).contains("restore job");
        assertThat(Duration.between(Instant.parse(head.get("queued_at").asText()),
                Instant.parse(head.get("deadline").asText()))).as("the default queue deadline").isEqualTo(Duration.ofHours(24));
        assertThat(Metrics.value("gaussdb_restore_requests_total", "outcome=\"queued\"")).isEqualTo(queuedBefore + 20);
        assertThat(othersServed()).as("another instance is served while 20 wait").isLessThan(Duration.ofSeconds(2));
        assertThat(posts(busy)).as("only the first request reached the cloud").hasSize(1);
    }

    /**
     * The same line under a storm: 1,000 more requests for the busy instance, all QUEUED, none sent, none holding
     * up another instance. A drill (tag {@code drill}): {@code deploy/drills.sh} runs it, not the test command.
     */
    @Test
    @Tag("drill")
    void aThousandRequestsForOneBusyInstanceAllWaitAndHoldUpNoOther() {
        String busy = busyInstance().instance();
        List<String> line = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            line.add(send(busy, "storm"));
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> line.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));
        Duration queuing = Duration.ofNanos(System.nanoTime() - start);
        Duration with1000 = othersServed();
        System.out.printf("instance queue: 1,000 requests for one busy instance queued in %d ms; other instances "
                + "SUBMITTED in %d ms with 1,000 waiting%n", queuing.toMillis(), with1000.toMillis());
        assertThat(with1000).isLessThan(Duration.ofSeconds(2));
        assertThat(line).allSatisfy(id -> assertThat(statuses(id)).containsExactly("QUEUED"));
        for (int i = 0; i < 3; i++) {
            assertThat(TestTopics.resultValues(line.get(i)).get(0).get("queue").get("place").asInt()).isEqualTo(i + 1);
        }
        assertThat(posts(busy)).as("only the first request reached the cloud").hasSize(1);
        List<Object> listed = io.gaussrestore.testing.Api.asBot().get("/restores?status=queued&instance_id=" + busy + "&limit=500").then()
                .statusCode(200).extract().jsonPath().getList("$");
        assertThat(listed).hasSize(500);
    }

    @Test
    void aRequestWaitsBehindAJobLongerThanTheRetryDeadlineAndGoesWhenItEnds() {
        Busy ahead = busyInstance(Duration.ofSeconds(8), "ahead");
        String instance = ahead.instance();
        String first = ahead.first();
        String second = send(instance, "behind");

        JsonNode queued = awaitStatus(second, "QUEUED");
        assertThat(queued.get("queue").get("waiting_for").asText()).contains(first);
        JsonNode completed = awaitStatus(first, "COMPLETED");
        JsonNode submitted = awaitStatus(second, "SUBMITTED");

        assertThat(statuses(second).subList(0, 2)).containsExactly("QUEUED", "SUBMITTED");
        assertThat(submitted.get("attempts").asInt()).isEqualTo(1);
        assertThat(Instant.parse(submitted.get("submitted_at").asText()))
                .isAfterOrEqualTo(Instant.parse(completed.get("finished_at").asText()).minusSeconds(1));
        assertThat(posts(instance)).extracting(JournalEntry::status).containsExactly(200, 200);
    }

    @Test
    void theLineKeepsArrivalOrder() {
        jobsTake(Duration.ofMillis(500));
        jobsAreSeenAfter(Duration.ZERO);
        String instance = instance();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(send(instance, "order" + i));
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> statuses(id).contains("COMPLETED")));
        List<JournalEntry> posts = posts(instance);
        assertThat(posts).hasSize(5).allSatisfy(p -> assertThat(p.status()).isEqualTo(200));
        List<String> submittedJobs = ids.stream().map(id -> awaitStatus(id, "SUBMITTED").get("job_id").asText()).toList();
        List<Instant> submittedAt = ids.stream().map(id -> Instant.parse(awaitStatus(id, "SUBMITTED").get("submitted_at").asText())).toList();
        assertThat(submittedAt).isSorted();
        assertThat(submittedJobs).doesNotHaveDuplicates();
    }

    @Test
    void aQueuedRequestCanBeCancelledButASubmittedOneCannot() {
        // The job stays unseen by the tracker for the whole test (within the tracker's 1-minute grace for a new
        // job), so the first request is SUBMITTED, not yet RUNNING, when its cancellation is refused.
        jobsAreSeenAfter(Duration.ofSeconds(50));
        Busy running = busyInstance(Duration.ofSeconds(30), "running");
        String instance = running.instance();
        String first = running.first();
        String second = send(instance, "to-cancel");
        String third = send(instance, "stays");
        awaitStatus(third, "QUEUED");

        JsonPath cancelled = io.gaussrestore.testing.Api.asBot().post("/restores/" + second + "/cancel").then().statusCode(200).extract().jsonPath();
        assertThat(cancelled.getString("status")).isEqualTo("CANCELLED");
        JsonNode event = awaitStatus(second, "CANCELLED");
        assertThat(event.get("error").get("code").asText()).isEqualTo("CANCELLED");
        io.gaussrestore.testing.Api.asBot().post("/restores/" + second + "/cancel").then().statusCode(409);
        JsonPath refused = io.gaussrestore.testing.Api.asBot().post("/restores/" + first + "/cancel").then().statusCode(409).extract().jsonPath();
        assertThat(refused.getString("error")).contains("SUBMITTED").contains("cannot be taken back");
        io.gaussrestore.testing.Api.asBot().post("/restores/no-such-request/cancel").then().statusCode(404);

        List<Object> queued = io.gaussrestore.testing.Api.asBot().get("/restores?status=queued&instance_id=" + instance).then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(queued).hasSize(1);
        JsonPath line = io.gaussrestore.testing.Api.asBot().get("/restores?status=queued&instance_id=" + instance).then().extract().jsonPath();
        assertThat(line.getString("[0].request_id")).isEqualTo(third);
        assertThat(line.getInt("[0].queue.place")).isEqualTo(1);
        cancelAll(List.of(third));
        assertThat(posts(instance)).hasSize(1);
    }

    @Test
    void aRequestWaitingPastTheQueueDeadlineFailsWithItsOwnCode() throws Exception {
        jobsTake(Duration.ofSeconds(45));
        String instance = instance();
        String first = send(instance, "long-job");
        awaitStatus(first, "SUBMITTED");
        String second = send(instance, "too-late");
        awaitStatus(second, "QUEUED");
        // A day passes for the waiting request: its deadline is now.
        try (java.sql.Connection c = store.dataSource().getConnection();
                java.sql.PreparedStatement s = c.prepareStatement(
                        "UPDATE restore_request SET queue_deadline = CURRENT_TIMESTAMP WHERE request_id = ?")) {
            s.setString(1, second);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        JsonNode failed = awaitStatus(second, "FAILED");

        assertThat(failed.get("error").get("code").asText()).isEqualTo("QUEUE_TIMEOUT");
        assertThat(failed.get("error").get("message").asText()).contains("waited").contains(first).contains("nothing was sent");
        assertThat(posts(instance)).hasSize(1);
        assertThat(Metrics.value("gaussdb_restore_queue_wait_seconds_count", "ending=\"expired\"")).isGreaterThanOrEqualTo(1.0);
    }
}
