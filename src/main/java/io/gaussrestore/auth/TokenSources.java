package io.gaussrestore.auth;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.cloud.CloudTransport;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Builds the token source of the configured auth mode. */
@Singleton
public class TokenSources {

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final TokenSource source;

    public TokenSources(Credentials credentials, CloudTransport clients, RestoreMetrics metrics, Clock clock,
            RestoreConfig config) {
        double fraction = config.auth().renewAtFraction();
        AuthMode mode = credentials.mode();
        if (mode instanceof AuthMode.FixedToken fixed) {
            source = new FixedTokenSource(fixed.token(),
                    "the cloud refused the fixed token (GAUSSDB_AUTH_TOKEN); it cannot be renewed: configure a new one "
                            + "or use IAM password auth");
        } else if (mode instanceof AuthMode.IamPassword password) {
            IamClient iam = new IamClient(password.iamEndpoint(), clients, metrics, clock);
            IamTokenSource user = open(new IamTokenSource(iam, IamClient.passwordBody(password),
                    () -> Uni.createFrom().nullItem(), clock, fraction));
            source = password.agency().<TokenSource>map(agency -> open(new IamTokenSource(iam,
                    IamClient.agencyBody(agency, password.projectName()), user::token, clock, fraction))).orElse(user);
        } else if (mode instanceof AuthMode.AgencyOnToken agency) {
            IamClient iam = new IamClient(agency.iamEndpoint(), clients, metrics, clock);
            FixedTokenSource base = new FixedTokenSource(agency.baseToken(), "the delegating token was refused");
            source = open(new IamTokenSource(iam, IamClient.agencyBody(agency.agency(), agency.projectName()),
                    base::token, clock, fraction));
        } else {
            source = new NoTokenSource();
        }
    }

    @Produces
    @Singleton
    TokenSource tokenSource() {
        return source;
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @PreDestroy
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    /** AK/SK mode: calls carry a signature, not a token. */
    static final class NoTokenSource implements TokenSource {
        @Override
        public Uni<String> token() {
            return Uni.createFrom().nullItem();
        }

        @Override
        public Uni<String> renew(String rejected) {
            return Uni.createFrom().failure(new AuthException("the cloud refused the AK/SK signature: check "
                    + "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and this machine's clock"));
        }
    }
}
