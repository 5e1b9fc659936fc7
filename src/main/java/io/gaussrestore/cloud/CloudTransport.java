package io.gaussrestore.cloud;

import io.gaussrestore.config.RestoreConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.inject.Singleton;
import java.net.URI;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * How every REST client that talks to the cloud (GaussDB and IAM) is built: timeouts, certificate checks always
 * on (with an optional extra CA bundle), no default exception mapping.
 */
@Singleton
public class CloudTransport {

    private final RestoreConfig.GaussDb config;
    private final KeyStore trustStore;

    public CloudTransport(RestoreConfig config) {
        this.config = config.gaussdb();
        this.trustStore = this.config.caBundle().filter(p -> !p.toString().isBlank()).map(TrustStores::withBundle).orElse(null);
    }

    /** A builder for any cloud endpoint, with this service's transport settings. */
    public QuarkusRestClientBuilder builder(URI baseUri) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(baseUri)
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .verifyHost(true)
                .property("io.quarkus.rest.client.connection-pool-size", config.connectionPoolSize())
                .property("microprofile.rest.client.disableDefaultMapper", true);
        if (trustStore != null) {
            builder.trustStore(trustStore);
        }
        return builder;
    }
}
