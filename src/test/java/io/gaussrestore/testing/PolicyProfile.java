package io.gaussrestore.testing;

import java.nio.file.Path;
import java.util.Map;

/**
 * The service against its own simulator with a restore policy file that tests rewrite, read again every half
 * second, and traces on. Jobs are not followed, so that none of them ends while another test class counts
 * completions.
 */
public class PolicyProfile extends SimulatorBackedProfile {

    /** The restore policy this profile starts with; tests that change it put it back. */
    public static final Path POLICY_FILE = Path.of("target", "test-policies-" + InProcessSimulator.PORT,
            "policy-profile.yaml");

    @Override
    public Map<String, String> getConfigOverrides() {
        return ProfileSettings.simulatorBacked("policy-profile").untracked()
                .with("restore.access.policy-file", Policies.write(POLICY_FILE, Policies.STANDARD).toString())
                .with("restore.access.reload-interval", "PT0.5S")
                // Traces on, exported to the tests' in-memory exporter (TracingTest shares this application).
                .with("quarkus.otel.sdk.disabled", "false").with("quarkus.otel.bsp.schedule.delay", "PT0.1S").map();
    }
}
