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

/** The packaged service refuses to start on incomplete credentials, and reads secrets from files. */
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
        }
    }
}
