package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.auth.AkSkSigner;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The simulator's identity side: IAM's token API, the tokens it issued, and the gateway's check of a token or an
 * AK/SK signature (a key is locked for 5 minutes after 5 bad signatures). Used under the simulator's lock only.
 */
final class SimulatedIam {

    private static final DateTimeFormatter TOKEN_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Set<String> acceptedTokens;
    private final Map<String, String> accessKeys;
    private final Map<String, Integer> signatureFailures = new HashMap<>();
    private final Map<String, Instant> lockedKeys = new HashMap<>();
    private final Map<String, Instant> issuedTokens = new HashMap<>();

    SimulatedIam(Set<String> acceptedTokens, Map<String, String> accessKeys) {
        this.acceptedTokens = Set.copyOf(acceptedTokens);
        this.accessKeys = Map.copyOf(accessKeys);
    }

    /** Invalidates every token issued so far, as a password change does; how many there were. */
    int revokeTokens() {
        int count = issuedTokens.size();
        issuedTokens.clear();
        return count;
    }

    /** IAM's token API: a password or an agency assumed with a token, as the settings allow. */
    SimResponse issueToken(GaussDbSimulator.Call call, Instant now, SimulatorSettings settings) {
        String body = call.text();
        JsonNode identity;
        try {
            identity = body == null ? null : JSON.readTree(body).path("auth").path("identity");
        } catch (IOException e) {
            identity = null;
        }
        if (identity == null || !identity.path("methods").isArray()) {
            return iamError(400, "The request body is invalid.");
        }
        String method = identity.path("methods").path(0).asText();
        ObjectNode token = NODES.objectNode();
        if (method.equals("password")) {
            JsonNode user = identity.path("password").path("user");
            String name = user.path("name").asText("");
            String password = user.path("password").asText("");
            String domain = user.path("domain").path("name").asText("");
            if (name.isEmpty() || password.isEmpty() || domain.isEmpty()) {
                return iamError(400, "The request body is invalid.");
            }
            if (settings.iamPassword() != null && !settings.iamPassword().isEmpty()
                    && !settings.iamPassword().equals(password)) {
                return iamError(401, "The username or password is wrong.");
            }
            token.putObject("user").put("name", name).putObject("domain").put("name", domain);
        } else if (method.equals("assume_role")) {
            JsonNode role = identity.path("assume_role");
            if (role.path("agency_name").asText("").isEmpty()
                    || (role.path("domain_name").asText("").isEmpty() && role.path("domain_id").asText("").isEmpty())) {
                return iamError(400, "The request body is invalid.");
            }
            if (authenticateToken(call.authToken(), now).isPresent()) {
                return iamError(401, "The token of the delegating party is missing, invalid or expired.");
            }
            token.putObject("assumed_by").put("agency_name", role.path("agency_name").asText());
        } else {
            return iamError(400, "The request body is invalid.");
        }
        String value = "MIIsim" + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        Instant expires = now.plus(settings.tokenLifetime());
        issuedTokens.put(value, expires);
        token.putArray("methods").add(method);
        token.put("issued_at", TOKEN_TIME.format(now)).put("expires_at", TOKEN_TIME.format(expires));
        ObjectNode root = NODES.objectNode();
        root.set("token", token);
        return new SimResponse(201, Map.of("X-Subject-Token", value), root, null);
    }

    private static SimResponse iamError(int status, String message) {
        ObjectNode root = NODES.objectNode();
        root.putObject("error").put("code", status).put("message", message)
                .put("title", status == 401 ? "Unauthorized" : "Bad Request");
        return new SimResponse(status, Map.of(), root, "IAM." + status);
    }

    /** Why the call is refused by the gateway's authentication, or empty when it passes. */
    Optional<SimResponse> authenticate(GaussDbSimulator.Call call, Instant now) {
        String authorization = call.headers().get("authorization");
        if (authorization != null && authorization.startsWith(AkSkSigner.ALGORITHM + " ")) {
            return verifySignature(call, authorization, now);
        }
        return authenticateToken(call.authToken(), now);
    }

    /** Checks an SDK-HMAC-SHA256 signature the way the API gateway does. */
    private Optional<SimResponse> verifySignature(GaussDbSimulator.Call call, String authorization, Instant now) {
        Map<String, String> parts = new HashMap<>();
        for (String part : authorization.substring(AkSkSigner.ALGORITHM.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        String accessKey = parts.getOrDefault("Access", "");
        String secretKey = accessKeys.get(accessKey);
        if (secretKey == null) {
            return Optional.of(SimResponse.error(401, "APIGW.0301", "Incorrect IAM authentication information: ak "
                    + accessKey + " not found"));
        }
        Instant locked = lockedKeys.get(accessKey);
        if (locked != null && now.isBefore(locked)) {
            return Optional.of(SimResponse.error(401, "APIGW.0301",
                    "Incorrect IAM authentication information: the access key is locked after repeated failures"));
        }
        String date = call.headers().getOrDefault("x-sdk-date", "");
        Instant signedAt;
        try {
            signedAt = java.time.LocalDateTime.parse(date, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                    .toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return Optional.of(SimResponse.error(401, "APIGW.0303", "Incorrect app authentication information: bad X-Sdk-Date"));
        }
        if (Duration.between(signedAt, now).abs().compareTo(Duration.ofMinutes(15)) > 0) {
            return Optional.of(SimResponse.error(401, "APIGW.0303",
                    "Incorrect app authentication information: the request is expired (X-Sdk-Date more than 15 minutes off)"));
        }
        Map<String, String> signed = new HashMap<>();
        for (String name : parts.getOrDefault("SignedHeaders", "").split(";")) {
            if (!name.isBlank()) {
                signed.put(name, call.headers().getOrDefault(name, ""));
            }
        }
        Map<String, List<String>> query = new HashMap<>();
        call.query().forEach((k, v) -> query.put(k, List.of(v)));
        String expected = AkSkSigner.signature(new AkSkSigner.Request(call.method(), call.path(), query, signed,
                call.body() == null ? new byte[0] : call.body()), secretKey, date);
        if (!expected.equals(parts.get("Signature"))) {
            int failures = signatureFailures.merge(accessKey, 1, Integer::sum);
            if (failures >= 5) {
                lockedKeys.put(accessKey, now.plus(Duration.ofMinutes(5)));
                signatureFailures.remove(accessKey);
            }
            return Optional.of(SimResponse.error(401, "APIGW.0301",
                    "Incorrect IAM authentication information: verify aksk signature fail"));
        }
        signatureFailures.remove(accessKey);
        return Optional.empty();
    }

    private Optional<SimResponse> authenticateToken(String token, Instant now) {
        if (token == null || token.isBlank()) {
            return Optional.of(SimResponse.error(401, "APIGW.0301",
                    "Incorrect IAM authentication information: x-auth-token not found"));
        }
        if (acceptedTokens.contains(token)) {
            return Optional.empty();
        }
        Instant expires = issuedTokens.get(token);
        if (expires == null || !now.isBefore(expires)) {
            return Optional.of(SimResponse.error(401, "APIGW.0301",
                    "Incorrect IAM authentication information: verify token failed"));
        }
        return Optional.empty();
    }
}
