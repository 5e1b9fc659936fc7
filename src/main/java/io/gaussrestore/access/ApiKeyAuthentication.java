package io.gaussrestore.access;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/** The {@code X-API-Key} header as a Quarkus authentication mechanism; keys are looked up by their hash. */
public final class ApiKeyAuthentication {

    /** The header a bot sends its key in. */
    public static final String HEADER = "X-API-Key";

    private ApiKeyAuthentication() {}

    /** A presented key, not yet checked. */
    static final class KeyRequest extends BaseAuthenticationRequest {
        private final String key;

        KeyRequest(String key) {
            this.key = key;
        }
    }

    @ApplicationScoped
    public static class Mechanism implements HttpAuthenticationMechanism {

        @Override
        public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
            String key = context.request().getHeader(HEADER);
            if (key == null) {
                return Uni.createFrom().nullItem();
            }
            return identities.authenticate(new KeyRequest(key.strip()));
        }

        @Override
        public Uni<ChallengeData> getChallenge(RoutingContext context) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "ApiKey header=\"" + HEADER + "\""));
        }

        @Override
        public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
            return Set.of(KeyRequest.class);
        }

        @Override
        public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
            return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, HEADER));
        }
    }

    @ApplicationScoped
    public static class Provider implements IdentityProvider<KeyRequest> {

        @Inject AccessFiles files;

        @Override
        public Class<KeyRequest> getRequestType() {
            return KeyRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(KeyRequest request, AuthenticationRequestContext context) {
            return files.apiKeys().caller(request.key)
                    .map(caller -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(caller.name()))
                            .addRoles(caller.roles())
                            .addAttribute("credential", "api-key")
                            .build()))
                    .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("unknown API key")));
        }
    }
}
