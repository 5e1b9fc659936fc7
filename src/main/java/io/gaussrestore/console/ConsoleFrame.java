package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.link;

import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.Roles;
import io.gaussrestore.config.RestoreConfig;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;

/**
 * What every console page shares: who may see it (signed in, with the role, and for a form its session's
 * token), its header, and the rendered answer with its security headers.
 */
@ApplicationScoped
public class ConsoleFrame {

    @Inject ConsoleSessions sessions;
    @Inject SecurityIdentity identity;
    @Inject RestoreConfig config;

    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";

    /** A page for someone signed in with the role, or the answer that sends them elsewhere. */
    Optional<Response> guard(String role) {
        return signedIn().or(() -> withRole(role));
    }

    /** As {@link #guard}, for a form posted: its token must be this session's. */
    Optional<Response> guardForm(String role, String formToken) {
        return signedIn().or(() -> formOfThisSession(formToken)).or(() -> withRole(role));
    }

    /** The console is on and the caller signed in to it; else a 404, or the way to the sign-in page. */
    private Optional<Response> signedIn() {
        if (!config.console().enabled()) {
            return Optional.of(Response.status(Response.Status.NOT_FOUND).build());
        }
        if (identity.isAnonymous() || !"console-session".equals(identity.getAttribute("credential"))) {
            return Optional.of(Response.seeOther(URI.create(ConsoleSessions.PATH + "/login")).build());
        }
        return Optional.empty();
    }

    private Optional<Response> formOfThisSession(String formToken) {
        String session = identity.getAttribute("console-session");
        if (!sessions.validFormToken(session, formToken)) {
            Decisions.console("form", caller(), null, "refused: the form token is missing or not this session's");
            return Optional.of(message("Form refused", "The form did not come from this console session (its token "
                    + "is missing or stale). Go back, reload the page and send it again.", Response.Status.FORBIDDEN));
        }
        return Optional.empty();
    }

    private Optional<Response> withRole(String role) {
        if (!identity.getRoles().contains(role)) {
            Decisions.console("page", caller(), null, "refused: needs the role " + role);
            return Optional.of(message("Not allowed", "This needs the role " + role + "; you are signed in as " + caller()
                    + " with " + identity.getRoles() + ".", Response.Status.FORBIDDEN));
        }
        return Optional.empty();
    }

    ConsoleViews.Page page(String title, int refreshSeconds) {
        String session = identity.getAttribute("console-session");
        return new ConsoleViews.Page(title, caller(), identity.getRoles().contains(Roles.REQUESTER),
                session == null ? "" : sessions.formToken(session), refreshSeconds);
    }

    String caller() {
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    Response message(String heading, String text, Response.Status status) {
        return html(ConsoleResource.Templates.message(page(heading, 0), heading, text), status);
    }

    static Response html(TemplateInstance template, Response.Status status) {
        return Response.status(status).entity(template.render()).type("text/html; charset=UTF-8")
                .header("Content-Security-Policy", CSP)
                .build();
    }
}
