package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.ledger.LedgerStore;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.CloudStubs;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A record the service cannot process leaves its partition with its reason instead of holding it for ever: at once
 * when the failure would repeat, after the transient-retry deadline (8 s in tests) when the ledger stays away.
 */
@QuarkusTest
class DeadLetterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(40);

    @InjectCloudApi
    WireMockServer cloud;

    @Inject
    LedgerStore store;

    @Inject
    RestoreRequestValidator validator;

    private static String request(String requestId, String instanceId) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, PROJECT, instanceId);
    }

    private void stubAccepted(String instanceId, String jobId) {
        CloudStubs.acceptRestores(cloud, instanceId, jobId);
    }

    private void execute(String sql) throws Exception {
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aFailureThatWouldRepeatDeadLettersTheRecordAtOnce() throws Exception {
        String poisoned = instance();
        execute("ALTER TABLE restore_request ADD CONSTRAINT test_poison CHECK (instance_id <> '" + poisoned + "')");
        try {
            String requestId = "repeats-" + UUID.randomUUID();
            byte[] value = request(requestId, poisoned).getBytes(StandardCharsets.UTF_8);
            double deadLettered = Metrics.value("gaussdb_restore_requests_total", "outcome=\"dead_lettered\"");
            long start = System.nanoTime();

            TestTopics.send("poison", value, Map.of());

            await().atMost(WAIT).until(() -> !TestTopics.deadLetters(value).isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried for the transient deadline")
                    .isLessThan(Duration.ofSeconds(8));
            ConsumerRecord<byte[], byte[]> dead = TestTopics.deadLetters(value).get(0);
            assertThat(TestTopics.header(dead, "dead-letter-reason"))
                    .isEqualTo("record could not be processed: a failure that would repeat");
            assertThat(TestTopics.header(dead, "dead-letter-cause")).containsIgnoringCase("test_poison");
            assertThat(TestTopics.results(requestId)).isEmpty();
            assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(poisoned))))).isEmpty();
            assertThat(Metrics.value("gaussdb_restore_requests_total", "outcome=\"dead_lettered\"")).isEqualTo(deadLettered + 1);
        } finally {
            execute("ALTER TABLE restore_request DROP CONSTRAINT test_poison");
        }
        String instanceId = instance();
        stubAccepted(instanceId, "job-after-poison");
        String next = "after-poison-" + UUID.randomUUID();
        TestTopics.send("poison", request(next, instanceId));
        await().atMost(WAIT).until(() -> !TestTopics.results(next).isEmpty());
        assertThat(TestTopics.resultValues(next).get(0).get("status").asText()).isEqualTo("SUBMITTED");
    }

    @Test
    void aLedgerAwayPastTheDeadlineDeadLettersTheRecordAndItsReplayIsServedOnce() throws Exception {
        String instanceId = instance();
        stubAccepted(instanceId, "job-replayed");
        String requestId = "ledger-away-" + UUID.randomUUID();
        String text = request(requestId, instanceId);
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        String key = BusinessKey.of(((RequestCheck.Valid) validator.check((ObjectNode) JSON.readTree(text))).request());

        // Another transaction holds the restore's business key uncommitted: every claim waits and times out.
        try (Connection blocker = store.dataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement s = blocker.prepareStatement(
                    "INSERT INTO business_key_claim (business_key, request_id, claimed_at) VALUES (?, ?, ?)")) {
                s.setString(1, key);
                s.setString(2, "blocker");
                s.setObject(3, OffsetDateTime.now());
                s.executeUpdate();
            }
            TestTopics.send(instanceId, value, Map.of());

            await().atMost(WAIT).until(() -> !TestTopics.deadLetters(value).isEmpty());
            ConsumerRecord<byte[], byte[]> dead = TestTopics.deadLetters(value).get(0);
            assertThat(TestTopics.header(dead, "dead-letter-reason"))
                    .isEqualTo("record could not be processed: a transient failure outlasted PT8S");
            blocker.rollback();
        }
        assertThat(TestTopics.results(requestId)).isEmpty();
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).isEmpty();

        // The operator replays the dead-lettered record unchanged once the ledger is back.
        TestTopics.send(instanceId, value, Map.of());

        await().atMost(WAIT).until(() -> !TestTopics.results(requestId).isEmpty());
        assertThat(TestTopics.resultValues(requestId).get(0).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(TestTopics.resultValues(requestId).get(0).get("job_id").asText()).isEqualTo("job-replayed");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).hasSize(1);
    }
}
