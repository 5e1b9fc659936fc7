package io.gaussrestore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service refuses to start on incomplete credentials, reads secrets from files, and starts with its
 * HTTP API closed when no caller credential is configured.
 */
class AuthStartupIT {

    private static Map<String, String> base() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", new KafkaBroker().start().get("kafka.bootstrap.servers"));
        env.put("GAUSSDB_ENDPOINT", "https://gaussdb.cn-north-4.myhuaweicloud.com");
        env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:mem:startup");
        env.put("RESTORE_TRACKING_ENABLED", "false");
        return env;
    }

    @Test
    void anIncompleteIamConfigurationStopsTheStartNamingWhatIsMissing() throws Exception {
        Map<String, String> env = base();
        env.put("IAM_ENDPOINT", "https://iam.myhuaweicloud.com");
        env.put("IAM_USER_NAME", "restore-bot");

        ServiceProcess.Exit exit = ServiceProcess.runUntilExit("startup-incomplete-iam", env, Duration.ofSeconds(60));

        assertThat(exit.code()).isNotZero();
        assertThat(exit.log()).contains("IAM password auth is incomplete: missing IAM_DOMAIN_NAME, IAM_PASSWORD, IAM_PROJECT_NAME");
    }

    @Test
    void noCredentialsAtAllStopTheStart() throws Exception {
        ServiceProcess.Exit exit = ServiceProcess.runUntilExit("startup-no-credentials", base(), Duration.ofSeconds(60));

        assertThat(exit.code()).isNotZero();
        assertThat(exit.log()).contains("no credentials for the GaussDB API").contains("GAUSSDB_AUTH_TOKEN");
    }

    @Test
    void theSecretKeyIsReadFromAMountedFile() throws Exception {
        Path secret = Files.createDirectories(Path.of("target", "secrets")).resolve("sk");
        Files.writeString(secret, "Sk-from-a-file-0123456789\n");
        Map<String, String> env = base();
        env.put("HUAWEICLOUD_SDK_AK", "file-ak");
        env.put("HUAWEICLOUD_SDK_SK_FILE", secret.toAbsolutePath().toString());
        env.put("RESTORE_REQUESTS_TOPIC", "startup-unused");
        env.put("RESTORE_CONSUMER_GROUP", "startup-unused");

        try (ServiceProcess service = ServiceProcess.start("startup-sk-file", env)) {
            assertThat(service.log()).contains("authenticate with AkSk[file-ak]").doesNotContain("Sk-from-a-file");
            // Production with no API keys and no JWT settings: the HTTP API is closed and says how to open it.
            assertThat(service.log()).contains("The HTTP restore API is closed").contains("RESTORE_API_KEYS_FILE")
                    .contains("RESTORE_JWT_KEY_LOCATION").contains("No restore policy (RESTORE_POLICY_FILE is not set)");
            for (String[] call : new String[][] {{"POST", "/restores"}, {"GET", "/restores"}, {"GET", "/restores/x"}}) {
                java.net.HttpURLConnection connection = (java.net.HttpURLConnection) java.net.URI
                        .create(service.baseUrl() + call[1]).toURL().openConnection();
                connection.setRequestMethod(call[0]);
                if (call[0].equals("POST")) {
                    connection.setDoOutput(true);
                    connection.setRequestProperty("Content-Type", "application/json");
                    connection.getOutputStream().write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                assertThat(connection.getResponseCode()).as(call[0] + " " + call[1]).isEqualTo(401);
            }
            assertThat(service.readiness()).isEqualTo(200);
        }
    }
}
