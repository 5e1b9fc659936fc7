package io.gaussrestore.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The service against its own embedded simulator (as in the local stack), with short jobs and fast tracking. */
public class SimulatorBackedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("restore.gaussdb.endpoint", "http://localhost:${quarkus.http.test-port:8081}"),
                Map.entry("restore.auth.token", "local-dev-token"),
                Map.entry("restore.requests.retention", "P732D"),
                Map.entry("restore.tracking.enabled", "true"),
                Map.entry("restore.tracking.interval", "PT1S"),
                Map.entry("restore.tracking.first-poll-delay", "PT0.2S"),
                Map.entry("restore.simulator.job-duration", "PT6S"),
                Map.entry("restore.simulator.job-visibility-delay", "PT1S"),
                Map.entry("restore.ledger.jdbc-url", "jdbc:h2:mem:simulator-backed;DB_CLOSE_DELAY=-1"));
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
