package io.gaussrestore.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of a simulator-backed test profile, built fluently: the service calls its own in-process simulator
 * with a ledger of its own, and each profile says only what it changes.
 */
public final class ProfileSettings {

    private final Map<String, String> config = new HashMap<>();

    private ProfileSettings() {}

    /** The service against its own simulator, with a fixed token and an in-memory ledger named {@code ledger}. */
    public static ProfileSettings simulatorBacked(String ledger) {
        return new ProfileSettings().with("restore.gaussdb.endpoint", InProcessSimulator.URL)
                .with("restore.auth.token", "local-dev-token").with("restore.requests.retention", "P732D")
                .with("restore.ledger.jdbc-url", "jdbc:h2:mem:" + ledger + ";DB_CLOSE_DELAY=-1");
    }

    /** One setting. */
    public ProfileSettings with(String key, String value) {
        config.put(key, value);
        return this;
    }

    /** The simulator's jobs take {@code duration} and show in the job list after {@code visibleAfter}. */
    public ProfileSettings jobs(String duration, String visibleAfter) {
        return with("simulator.job-duration", duration).with("simulator.job-visibility-delay", visibleAfter);
    }

    /** Jobs are followed, polled every {@code interval}, the first time after {@code firstPoll}. */
    public ProfileSettings tracked(String interval, String firstPoll) {
        return with("restore.tracking.enabled", "true").with("restore.tracking.interval", interval)
                .with("restore.tracking.first-poll-delay", firstPoll);
    }

    /** Jobs are not followed, so that none of them ends while another test class counts completions. */
    public ProfileSettings untracked() {
        return with("restore.tracking.enabled", "false");
    }

    /** IAM token requests go to the simulator's IAM, for the given project name. */
    public ProfileSettings iam(String projectName) {
        return with("restore.auth.iam-endpoint", InProcessSimulator.URL).with("restore.auth.iam-project-name", projectName);
    }

    /** Every log line at DEBUG into a file, for tests that search the log for secrets. */
    public ProfileSettings debugLog(Path file) {
        return with("quarkus.log.level", "DEBUG").with("quarkus.log.console.level", "INFO")
                .with("quarkus.log.file.enabled", "true").with("quarkus.log.file.level", "DEBUG")
                .with("quarkus.log.file.path", file.toString())
                .with("quarkus.log.category.\"org.apache.kafka\".level", "INFO");
    }

    /** The settings, as a profile's overrides. */
    public Map<String, String> map() {
        return new HashMap<>(config);
    }
}
