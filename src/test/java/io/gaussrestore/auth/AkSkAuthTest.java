package io.gaussrestore.auth;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.gaussrestore.testing.ProfileSettings;
import io.gaussrestore.testing.SimulatorBackedProfile;
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

    @Inject
    GaussDbSimulator simulator;

    @Test
    void aSignedRestoreIsAcceptedAndFollowedToItsEnd() {
        String requestId = "aksk-" + UUID.randomUUID();
        String instance = instance();
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

    /** The secret the profile configures, and the DEBUG log that is searched for it. */
    static final String SECRET_KEY = "Sk-very-secret-0123456789";
    static final Path LOG = Path.of("target", "auth-debug-aksk.log");

    /** AK/SK mode against the simulator, with fast job tracking and every DEBUG line in a file. */
    public static class AkSkProfile extends SimulatorBackedProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ProfileSettings.simulatorBacked("aksk-auth").debugLog(LOG).jobs("PT2S", "PT0S")
                    .tracked("PT1S", "PT0S").with("restore.auth.token", "")
                    .with("restore.auth.access-key", "test-ak").with("restore.auth.secret-key", SECRET_KEY)
                    .with("simulator.access-keys", "test-ak:" + SECRET_KEY).map();
        }
    }
}
