package io.gaussrestore.access;

import io.gaussrestore.config.RestoreConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * The API key file and the restore policy file, read at start-up and again whenever they change. A broken
 * version keeps the last good one in force, says so in the log, and turns readiness DOWN until it is fixed.
 */
@ApplicationScoped
public class AccessFiles {

    private static final Logger LOG = Logger.getLogger(AccessFiles.class);

    private final WatchedFile<ApiKeys> apiKeys;
    private final WatchedFile<RestorePolicy> policy;
    private final boolean jwt;

    AccessFiles(RestoreConfig config) {
        RestoreConfig.Access access = config.access();
        this.apiKeys = access.apiKeysFile()
                .map(path -> new WatchedFile<>("API key file", path, ApiKeys.NONE, ApiKeys::parse))
                .orElse(null);
        this.policy = access.policyFile()
                .map(path -> new WatchedFile<>("restore policy file", path,
                        RestorePolicy.closed("the policy file " + path + " could not be read at start-up"),
                        text -> RestorePolicy.parse(text, path.getFileName().toString())))
                .orElse(null);
        this.jwt = access.jwtKeyLocation().filter(location -> !location.isBlank()).isPresent();
        refresh();
    }

    void report(@Observes StartupEvent started) {
        if (apiKeys == null && !jwt) {
            LOG.warn("The HTTP restore API is closed: no caller can authenticate, so POST and GET /restores answer "
                    + "401. Open it with RESTORE_API_KEYS_FILE (hashed API keys) and/or RESTORE_JWT_KEY_LOCATION "
                    + "(a public key or JWKS for bearer JWTs, with RESTORE_JWT_ISSUER).");
        } else {
            LOG.infof("The HTTP restore API accepts %s%s%s", apiKeys == null ? "" : "API keys from " + apiKeys.path()
                    + " (" + apiKeys.current().size() + " key(s))", apiKeys != null && jwt ? " and " : "",
                    jwt ? "bearer JWTs" : "");
        }
        if (policy == null) {
            LOG.warn("No restore policy (RESTORE_POLICY_FILE is not set): every project and instance the cloud "
                    + "credentials reach may be restored.");
        } else if (policy.problem() == null) {
            LOG.infof("Restore policy %s in force: %d project(s)", policy.path(), policy.current().projects().size());
        }
    }

    /** Looks for changes; runs on the reload interval. */
    @Scheduled(every = "${restore.access.reload-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        if (apiKeys != null && apiKeys.refresh()) {
            LOG.infof("API key file %s loaded: %d key(s)", apiKeys.path(), apiKeys.current().size());
        }
        if (policy != null && policy.refresh()) {
            LOG.infof("restore policy %s loaded: %d project(s)", policy.path(), policy.current().projects().size());
        }
    }

    public ApiKeys apiKeys() {
        return apiKeys == null ? ApiKeys.NONE : apiKeys.current();
    }

    public RestorePolicy policy() {
        return policy == null ? RestorePolicy.OPEN : policy.current();
    }

    /** Why the API key file on disk is not in force, if it is not. */
    public Optional<String> apiKeysProblem() {
        return problem(apiKeys);
    }

    /** Why the policy file on disk is not in force, if it is not. */
    public Optional<String> policyProblem() {
        return problem(policy);
    }

    private static Optional<String> problem(WatchedFile<?> file) {
        return file == null || file.problem() == null
                ? Optional.empty()
                : Optional.of(file.path() + " " + file.problem() + "; the last good version is in force");
    }

    /** Readiness: a file that is broken on disk is a configuration fault someone must fix. */
    @Readiness
    @ApplicationScoped
    public static class Health implements HealthCheck {

        private final AccessFiles files;

        Health(AccessFiles files) {
            this.files = files;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder response = HealthCheckResponse.named("access-files").up();
            files.apiKeysProblem().ifPresent(p -> response.down().withData("api_keys", p));
            files.policyProblem().ifPresent(p -> response.down().withData("policy", p));
            return response.build();
        }
    }

}
