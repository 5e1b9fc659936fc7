package io.gaussrestore.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The service against its own embedded simulator (as in the local stack), with short jobs and fast tracking. */
public class SimulatorBackedProfile implements QuarkusTestProfile {

    /** The settings every simulator-backed profile shares: the service calls its own simulator, a ledger of its own. */
    public static Map<String, String> base(String ledgerName) {
        return ProfileSettings.simulatorBacked(ledgerName).map();
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
        return ProfileSettings.simulatorBacked("simulator-backed").tracked("PT1S", "PT0.2S").jobs("PT10S", "PT2S").map();
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
