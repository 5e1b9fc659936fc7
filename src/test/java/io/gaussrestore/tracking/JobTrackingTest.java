package io.gaussrestore.tracking;

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
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests followed to their end against the simulator, through a real broker. */
@QuarkusTest
@TestProfile(SimulatorBackedProfile.class)
class JobTrackingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    GaussDbSimulator simulator;

    @AfterEach
    void healSimulator() {
        simulator.update(new SimulatorSettings.Patch(null, null, 0.0, null, null, null, null, null));
    }

    private static String send() {
        String requestId = "tracked-" + UUID.randomUUID();
        String instance = instance();
        TestTopics.send(instance, io.gaussrestore.testing.Requests.request(requestId, instance));
        return requestId;
    }

    @Test
    void aRestoreGoesFromSubmittedThroughRunningToCompleted() {
        double completedBefore = Metrics.value("gaussdb_restore_job_duration_seconds_count", "outcome=\"completed\"");
        String requestId = send();

        await().atMost(WAIT).until(() -> statuses(requestId).contains("COMPLETED"));
        List<JsonNode> results = TestTopics.resultValues(requestId);
        List<String> statuses = statuses(requestId);
        assertThat(statuses.get(0)).isEqualTo("SUBMITTED");
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo("COMPLETED");
        assertThat(statuses.subList(1, statuses.size() - 1)).isNotEmpty().containsOnly("RUNNING");
        List<Integer> progress = new ArrayList<>();
        results.stream().filter(r -> r.get("status").asText().equals("RUNNING") && r.hasNonNull("progress")
                        && !r.get("progress").asText().isEmpty())
                .forEach(r -> progress.add(Integer.parseInt(r.get("progress").asText().replace("%", ""))));
        assertThat(progress).as("progress rises").isSorted().doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(2);
        JsonNode completed = results.get(results.size() - 1);
        String jobId = results.get(0).get("job_id").asText();
        assertThat(completed.get("job_id").asText()).isEqualTo(jobId);
        assertThat(completed.get("finished_at").asText()).isNotBlank();
        assertThat(completed.get("job_status").asText()).isEqualTo("Completed");
        List<ConsumerRecord<byte[], byte[]>> records = TestTopics.results(requestId);
        assertThat(TestTopics.header(records.get(records.size() - 1), "ce_type")).isEqualTo("gaussdb.restore.completed");

        io.gaussrestore.testing.Api.asBot().get("/restores/" + requestId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("COMPLETED"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                Metrics.value("gaussdb_restore_job_duration_seconds_count", "outcome=\"completed\"")).isEqualTo(completedBefore + 1));
        assertThat(io.gaussrestore.testing.Api.management().get("/q/metrics").asString()).contains("gaussdb_restore_jobs_in_flight");

        List<JournalEntry> polls = simulator.journal().stream()
                .filter(e -> e.operation().equals("job") && jobId.equals(e.jobId())).toList();
        JournalEntry post = simulator.journal().stream()
                .filter(e -> e.operation().equals("restore") && jobId.equals(e.jobId())).findFirst().orElseThrow();
        Instant jobEnd = post.receivedAt().plus(Duration.ofSeconds(10));
        long delay = records.get(records.size() - 1).timestamp() - jobEnd.toEpochMilli();
        System.out.printf("job tracking: %d polls for a 10 s job at a 1 s interval; COMPLETED published %d ms after the job ended%n",
                polls.size(), delay);
    }

    @Test
    void aFailingJobEndsFailedWithItsReason() {
        simulator.update(new SimulatorSettings.Patch(null, null, 1.0, null, null, null, null, null));
        String requestId = send();

        await().atMost(WAIT).until(() -> statuses(requestId).contains("FAILED"));
        JsonNode failed = TestTopics.resultValues(requestId).get(statuses(requestId).size() - 1);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("JOB_FAILED");
        assertThat(failed.get("error").get("message").asText()).contains("triggers");
        assertThat(failed.get("job_status").asText()).isEqualTo("Failed");
        assertThat(statuses(requestId)).filteredOn(s -> s.equals("FAILED") || s.equals("COMPLETED")).hasSize(1);
    }

    @Test
    void aJobIdThatIsNotVisibleYetIsStillFollowedToTheEnd() {
        String requestId = send();

        await().atMost(WAIT).until(() -> statuses(requestId).contains("COMPLETED"));
        String jobId = TestTopics.resultValues(requestId).get(0).get("job_id").asText();
        List<JournalEntry> polls = simulator.journal().stream()
                .filter(e -> e.operation().equals("job") && jobId.equals(e.jobId())).toList();
        assertThat(polls.get(0).status()).isEqualTo(400);
        assertThat(polls.get(0).errorCode()).isEqualTo("DBS.200543");
        assertThat(polls.get(polls.size() - 1).status()).isEqualTo(200);
        assertThat(statuses(requestId)).filteredOn("COMPLETED"::equals).hasSize(1);
    }
}
