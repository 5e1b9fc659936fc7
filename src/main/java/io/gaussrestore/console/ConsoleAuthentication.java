package io.gaussrestore.console;

import io.gaussrestore.access.AccessFiles;
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
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * The console's session cookie as a Quarkus authentication mechanism, for console pages only (the restore API
 * never takes it, so a page of another site cannot use a console session against it). No cookie, or one that is
 * not ours, over, signed out (on any replica), or of a key no longer in the key file: no identity, and the console
 * sends the browser to sign in.
 */
public final class ConsoleAuthentication {

    private ConsoleAuthentication() {}

    /** A session presented, not yet checked against the key file. */
    static final class SessionRequest extends BaseAuthenticationRequest {
        final ConsoleSessions.Session session;

        SessionRequest(ConsoleSessions.Session session) {
            this.session = session;
        }
    }

    @ApplicationScoped
    public static class Mechanism implements HttpAuthenticationMechanism {

        private final ConsoleSessions sessions;

        Mechanism(ConsoleSessions sessions) {
            this.sessions = sessions;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
            String path = context.normalizedPath();
            if (path == null || !(path.equals(ConsoleSessions.PATH) || path.startsWith(ConsoleSessions.PATH + "/"))) {
                return Uni.createFrom().nullItem();
            }
            Cookie cookie = context.request().getCookie(ConsoleSessions.COOKIE);
            return sessions.read(cookie == null ? null : cookie.getValue())
                    .map(session -> identities.authenticate(new SessionRequest(session))
                            .onFailure().recoverWithNull())
                    .orElseGet(() -> Uni.createFrom().nullItem());
        }

        @Override
        public Uni<ChallengeData> getChallenge(RoutingContext context) {
            // The console answers anonymous visitors itself (a page to sign in); the API's own challenge stands.
            return Uni.createFrom().nullItem();
        }

        @Override
        public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
            return Set.of(SessionRequest.class);
        }

        @Override
        public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
            return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE,
                    ConsoleSessions.COOKIE));
        }

        @Override
        public int getPriority() {
            return DEFAULT_PRIORITY - 100;
        }
    }

    @ApplicationScoped
    public static class Provider implements IdentityProvider<SessionRequest> {

        @Inject AccessFiles files;
        @Inject ConsoleSessions sessions;

        @Override
        public Class<SessionRequest> getRequestType() {
            return SessionRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(SessionRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> {
                // A ledger that cannot answer opens no session: the console shows nothing without the ledger anyway.
                if (sessions.ended(request.session)) {
                    return null;
                }
                return files.apiKeys().callerByHash(request.session.keyHash())
                        .<SecurityIdentity>map(caller -> QuarkusSecurityIdentity.builder()
                                .setPrincipal(new QuarkusPrincipal(caller.name()))
                                .addRoles(caller.roles())
                                .addAttribute("credential", "console-session")
                                .addAttribute("console-session", request.session.cookieValue())
                                .build())
                        .orElse(null);
            });
        }
    }
}
