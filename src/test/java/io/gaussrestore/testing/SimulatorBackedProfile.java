package io.gaussrestore.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The service against its own embedded simulator (as in the local stack), with short jobs and fast tracking. */
public class SimulatorBackedProfile implements QuarkusTestProfile {

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
