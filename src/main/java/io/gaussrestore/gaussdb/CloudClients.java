package io.gaussrestore.gaussdb;

import io.gaussrestore.auth.AuthMode;
import io.gaussrestore.auth.Credentials;
import io.gaussrestore.config.RestoreConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.inject.Singleton;
import java.net.URI;
import java.security.KeyStore;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Builds the REST clients that talk to the cloud: timeouts, certificate checks always on (with an optional extra
 * CA bundle), no default exception mapping, and AK/SK signing of GaussDB calls when that mode is chosen.
 */
@Singleton
public class CloudClients {

    private final RestoreConfig.GaussDb config;
    private final AuthMode mode;
    private final Clock clock;
    private final KeyStore trustStore;

    public CloudClients(RestoreConfig config, Credentials credentials, Clock clock) {
        this.config = config.gaussdb();
        this.mode = credentials.mode();
        this.clock = clock;
        this.trustStore = this.config.caBundle().filter(p -> !p.toString().isBlank()).map(TrustStores::withBundle).orElse(null);
    }

    /** A builder for any cloud endpoint (IAM included), with this service's transport settings. */
    public QuarkusRestClientBuilder builder(URI baseUri) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(baseUri)
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .verifyHost(true)
                .property("microprofile.rest.client.disableDefaultMapper", true);
        if (trustStore != null) {
            builder.trustStore(trustStore);
        }
        return builder;
    }

    GaussDbRestApi gaussdb() {
        QuarkusRestClientBuilder builder = builder(config.endpoint());
        if (mode instanceof AuthMode.AkSk akSk) {
            builder.register(new AkSkSigningFilter(akSk, clock));
        }
        return builder.build(GaussDbRestApi.class);
    }
}
