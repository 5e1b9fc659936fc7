package io.gaussrestore.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** AK/SK signing end to end: the simulator verifies every signature, on the restore body and on job polls. */
@QuarkusTest
@TestProfile(AkSkAuthTest.AkSkProfile.class)
class AkSkAuthTest {

    static final String SECRET_KEY = "Sk-very-secret-0123456789";
    static final Path LOG = Path.of("target", "auth-debug-aksk.log");
    private static final String PROJECT = "97b026aa9cc4417888c14c84a1ad9860";

    /** AK/SK mode against the simulator, with fast job tracking and every DEBUG line in a file. */
    public static class AkSkProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("restore.gaussdb.endpoint", "http://127.0.0.1:${quarkus.http.test-port:8081}"),
                    Map.entry("restore.auth.token", ""),
                    Map.entry("restore.auth.access-key", "test-ak"),
                    Map.entry("restore.auth.secret-key", SECRET_KEY),
                    Map.entry("restore.simulator.access-keys", "test-ak:" + SECRET_KEY),
                    Map.entry("restore.simulator.job-duration", "PT2S"),
                    Map.entry("restore.simulator.job-visibility-delay", "PT0S"),
                    Map.entry("restore.tracking.enabled", "true"),
                    Map.entry("restore.tracking.interval", "PT1S"),
                    Map.entry("restore.tracking.first-poll-delay", "PT0S"),
                    Map.entry("restore.requests.retention", "P732D"),
                    Map.entry("restore.ledger.jdbc-url", "jdbc:h2:mem:aksk-auth;DB_CLOSE_DELAY=-1"),
                    Map.entry("quarkus.log.level", "DEBUG"),
                    Map.entry("quarkus.log.console.level", "INFO"),
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.level", "DEBUG"),
                    Map.entry("quarkus.log.file.path", LOG.toString()),
                    Map.entry("quarkus.log.category.\"org.apache.kafka\".level", "INFO"));
        }
    }

    @Inject
    GaussDbSimulator simulator;

    @Test
    void aSignedRestoreIsAcceptedAndFollowedToItsEnd() {
        String requestId = "aksk-" + UUID.randomUUID();
        String instance = UUID.randomUUID().toString().replace("-", "") + "in07";
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": "%s",
                 "last_table_info": true,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"},
                                                                    {"old_name": "lines", "new_name": "lines_back"}]}]}
                """.formatted(requestId, PROJECT, instance, Instant.now().minusSeconds(3600)));

        await().atMost(Duration.ofSeconds(30)).until(() -> TestTopics.resultValues(requestId).stream()
                .anyMatch(r -> r.get("status").asText().equals("COMPLETED")));
        assertThat(TestTopics.resultValues(requestId).get(0).get("status").asText()).isEqualTo("SUBMITTED");
        String jobId = TestTopics.resultValues(requestId).get(0).get("job_id").asText();
        List<JournalEntry> calls = simulator.journal().stream()
                .filter(e -> instance.equals(e.instanceId()) || jobId.equals(e.jobId())).toList();
        assertThat(calls).extracting(JournalEntry::operation).contains("restore", "job");
        assertThat(calls).as("every signature verified").allMatch(e -> e.status() == 200);
    }

    @AfterAll
    static void theDebugLogHoldsNoSecret() throws Exception {
        String log = Files.readString(LOG);
        assertThat(log).contains("DEBUG").contains("AkSk[test-ak]");
        assertThat(log).doesNotContain(SECRET_KEY);
    }
}
