package io.gaussrestore.gaussdb;

import io.gaussrestore.auth.AuthMode;
import io.gaussrestore.auth.Credentials;
import io.gaussrestore.cloud.CloudTransport;
import io.gaussrestore.config.RestoreConfig;
import jakarta.inject.Singleton;
import jakarta.ws.rs.client.ClientRequestFilter;
import java.time.Clock;

/**
 * Builds the GaussDB REST client on the shared transport: every call carries the configured X-Language, and is
 * signed when AK/SK auth is chosen.
 */
@Singleton
public class CloudClients {

    private final RestoreConfig.GaussDb config;
    private final AuthMode mode;
    private final Clock clock;
    private final CloudTransport transport;

    public CloudClients(RestoreConfig config, Credentials credentials, Clock clock, CloudTransport transport) {
        this.config = config.gaussdb();
        this.mode = credentials.mode();
        this.clock = clock;
        this.transport = transport;
    }

    GaussDbRestApi gaussdb() {
        var builder = transport.builder(config.endpoint());
        String language = config.language();
        builder.register((ClientRequestFilter) request -> request.getHeaders().putSingle("X-Language", language));
        if (mode instanceof AuthMode.AkSk akSk) {
            builder.register(new AkSkSigningFilter(akSk, clock));
        }
        return builder.build(GaussDbRestApi.class);
    }
}
