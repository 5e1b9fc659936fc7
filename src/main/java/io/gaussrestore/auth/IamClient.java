package io.gaussrestore.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.cloud.CloudTransport;
import io.gaussrestore.cloud.Operation;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jboss.logging.Logger;

/** Fetches tokens from IAM ({@code POST /v3/auth/tokens?nocatalog=true}); never logs or returns a secret in text. */
public class IamClient {

    private static final Logger LOG = Logger.getLogger(IamClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IamRestApi api;
    private final URI endpoint;
    private final RestoreMetrics metrics;
    private final Clock clock;

    IamClient(URI endpoint, CloudTransport clients, RestoreMetrics metrics, Clock clock) {
        this.endpoint = endpoint;
        this.api = clients.builder(endpoint).build(IamRestApi.class);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The body of a password token request. */
    static byte[] passwordBody(AuthMode.IamPassword mode) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode identity = root.putObject("auth").putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", mode.userName()).put("password", mode.password()).putObject("domain").put("name", mode.domainName());
        ((ObjectNode) root.get("auth")).putObject("scope").putObject("project").put("name", mode.projectName());
        return bytes(root);
    }

    /** The body of an assume-role (agency) token request. */
    static byte[] agencyBody(AuthMode.Agency agency, String projectName) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode identity = root.putObject("auth").putObject("identity");
        identity.putArray("methods").add("assume_role");
        ObjectNode role = identity.putObject("assume_role").put("agency_name", agency.agencyName());
        agency.domainName().ifPresent(name -> role.put("domain_name", name));
        agency.domainId().ifPresent(id -> role.put("domain_id", id));
        ((ObjectNode) root.get("auth")).putObject("scope").putObject("project").put("name", projectName);
        return bytes(root);
    }

    /** Asks IAM for a token; fails with an {@link AuthException} that says why. */
    Uni<IssuedToken> issue(byte[] body, String delegatingToken) {
        long start = System.nanoTime();
        return api.issue(true, delegatingToken, body)
                .onFailure(jakarta.ws.rs.WebApplicationException.class)
                .recoverWithItem(e -> ((jakarta.ws.rs.WebApplicationException) e).getResponse())
                .onFailure().transform(e -> new AuthException("IAM at " + endpoint + " did not answer: "
                        + e.getClass().getSimpleName()))
                .map(this::read)
                .onItemOrFailure().invoke((token, failure) -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    String status = failure == null ? "201" : failure.getMessage().contains("HTTP ")
                            ? failure.getMessage().replaceAll(".*HTTP (\\d{3}).*", "$1") : "io_error";
                    metrics.apiCall(Operation.TOKEN.label(), status, "", took);
                    if (failure == null) {
                        LOG.infof("token from IAM at %s in %d ms, expires %s", endpoint, took.toMillis(), token.expiresAt());
                    } else {
                        LOG.warnf("token request to IAM at %s failed: %s", endpoint, failure.getMessage());
                    }
                });
    }

    private IssuedToken read(Response response) {
        try (response) {
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            if (response.getStatus() != 201) {
                throw new AuthException("IAM refused the token request: HTTP " + response.getStatus() + " " + message(body));
            }
            String token = response.getHeaderString("X-Subject-Token");
            if (token == null || token.isBlank()) {
                throw new AuthException("IAM answered 201 without an X-Subject-Token header");
            }
            JsonNode root = JSON.readTree(body).path("token");
            Instant expires = Instant.parse(root.path("expires_at").asText());
            Instant issued = root.hasNonNull("issued_at") ? Instant.parse(root.path("issued_at").asText()) : clock.instant();
            return new IssuedToken(token, issued, expires);
        } catch (IOException | DateTimeParseException e) {
            throw new AuthException("IAM's token answer could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static String message(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode message = root.path("error").path("message");
            return message.isTextual() ? message.asText() : root.path("error_msg").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
