package io.gaussrestore.access;

import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** A refused credential (401) or role (403) joins the audit trail; the credential itself never does. */
@ApplicationScoped
public class SecurityEvents {

    void authenticationFailed(@Observes AuthenticationFailureEvent event) {
        RoutingContext context = routing(event.getEventProperties().get(RoutingContext.class.getName()));
        Decisions.refused("unauthenticated", null, method(context), path(context),
                "401: " + (event.getAuthenticationFailure() == null ? "no valid credential"
                        : event.getAuthenticationFailure().getClass().getSimpleName()));
    }

    void authorizationFailed(@Observes AuthorizationFailureEvent event) {
        RoutingContext context = routing(event.getEventProperties().get(RoutingContext.class.getName()));
        boolean anonymous = event.getSecurityIdentity() == null || event.getSecurityIdentity().isAnonymous();
        Decisions.refused(anonymous ? "unauthenticated" : "forbidden",
                anonymous ? null : event.getSecurityIdentity().getPrincipal().getName(), method(context),
                path(context), (anonymous ? "401: no credential" : "403: roles " + event.getSecurityIdentity().getRoles()
                        + " do not include the one required"));
    }

    private static RoutingContext routing(Object value) {
        return value instanceof RoutingContext context ? context : null;
    }

    private static String method(RoutingContext context) {
        return context == null ? "-" : context.request().method().name();
    }

    private static String path(RoutingContext context) {
        return context == null ? "-" : context.normalizedPath();
    }
}
