package io.gaussrestore.auth;

import io.gaussrestore.config.RestoreConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The auth mode of this service, chosen at start-up from the configured variables (secrets from the
 * environment or from files such as mounted Kubernetes secrets). An incomplete set stops the start with a
 * message naming the missing variables.
 */
@Singleton
@Startup
public class Credentials {

    private static final Logger LOG = Logger.getLogger(Credentials.class);

    private final AuthMode mode;

    public Credentials(RestoreConfig config) {
        RestoreConfig.Auth auth = config.auth();
        AuthInputs inputs = new AuthInputs(
                secret(auth.token(), auth.tokenFile(), "GAUSSDB_AUTH_TOKEN_FILE"),
                nonBlank(auth.iamEndpoint()),
                nonBlank(auth.iamDomainName()),
                nonBlank(auth.iamUserName()),
                secret(auth.iamPassword(), auth.iamPasswordFile(), "IAM_PASSWORD_FILE"),
                nonBlank(auth.iamProjectName()),
                nonBlank(auth.iamAgencyName()),
                nonBlank(auth.iamAgencyDomainName()),
                nonBlank(auth.iamAgencyDomainId()),
                nonBlank(auth.accessKey()),
                secret(auth.secretKey(), auth.secretKeyFile(), "HUAWEICLOUD_SDK_SK_FILE"),
                nonBlank(auth.securityToken()),
                auth.plainHttpIam());
        AuthModeSelector.Selection selection = AuthModeSelector.select(inputs);
        if (selection instanceof AuthModeSelector.Selection.Refused refused) {
            throw new IllegalStateException("cannot start: " + refused.message());
        }
        this.mode = ((AuthModeSelector.Selection.Chosen) selection).mode();
        LOG.infof("calls to the cloud authenticate with %s", mode);
    }

    public AuthMode mode() {
        return mode;
    }

    /** Every secret value in use, so that it can be masked wherever text leaves the service. */
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (mode instanceof AuthMode.FixedToken fixed) {
            secrets.add(fixed.token());
        } else if (mode instanceof AuthMode.IamPassword password) {
            secrets.add(password.password());
        } else if (mode instanceof AuthMode.AgencyOnToken agency) {
            secrets.add(agency.baseToken());
        } else if (mode instanceof AuthMode.AkSk akSk) {
            secrets.add(akSk.secretKey());
            akSk.securityToken().ifPresent(secrets::add);
        }
        return secrets;
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Optional<String> secret(Optional<String> value, Optional<Path> file, String fileVariable) {
        Optional<String> direct = nonBlank(value);
        if (direct.isPresent() || file.isEmpty() || file.get().toString().isBlank()) {
            return direct;
        }
        try {
            return nonBlank(Optional.of(Files.readString(file.get())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start: " + fileVariable + " names " + file.get()
                    + ", which cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
