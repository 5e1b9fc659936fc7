package io.gaussrestore.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The service against its own embedded simulator (as in the local stack), with short jobs and fast tracking. */
public class SimulatorBackedProfile implements QuarkusTestProfile {

    /** The settings every simulator-backed profile shares: the service calls its own simulator, a ledger of its own. */
    public static Map<String, String> base(String ledgerName) {
        Map<String, String> config = new HashMap<>();
        config.put("restore.gaussdb.endpoint", InProcessSimulator.URL);
        config.put("restore.auth.token", "local-dev-token");
        config.put("restore.requests.retention", "P732D");
        config.put("restore.ledger.jdbc-url", "jdbc:h2:mem:" + ledgerName + ";DB_CLOSE_DELAY=-1");
        return config;
    }

    /** Every log line at DEBUG into a file, for tests that search the log for secrets. */
    public static Map<String, String> debugLog(Path file) {
        return Map.of(
                "quarkus.log.level", "DEBUG",
                "quarkus.log.console.level", "INFO",
                "quarkus.log.file.enabled", "true",
                "quarkus.log.file.level", "DEBUG",
                "quarkus.log.file.path", file.toString(),
                "quarkus.log.category.\"org.apache.kafka\".level", "INFO");
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = base("simulator-backed");
        config.put("restore.tracking.enabled", "true");
        config.put("restore.tracking.interval", "PT1S");
        config.put("restore.tracking.first-poll-delay", "PT0.2S");
        config.put("simulator.job-duration", "PT10S");
        config.put("simulator.job-visibility-delay", "PT2S");
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaBroker.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
