package io.gaussrestore.gaussdb;

import io.gaussrestore.auth.AkSkSigner;
import io.gaussrestore.auth.AuthMode;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs every GaussDB call with SDK-HMAC-SHA256 over the exact bytes sent (the client sends bodies as byte
 * arrays it serialised itself), adding X-Sdk-Date, X-Project-Id and, for temporary keys, X-Security-Token.
 */
final class AkSkSigningFilter implements ClientRequestFilter {

    private final AuthMode.AkSk keys;
    private final Clock clock;

    AkSkSigningFilter(AuthMode.AkSk keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public void filter(ClientRequestContext request) {
        URI uri = request.getUri();
        MultivaluedMap<String, Object> headers = request.getHeaders();
        String date = AkSkSigner.sdkDate(clock.instant());
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", host(uri));
        signed.put("x-sdk-date", date);
        headers.putSingle("X-Sdk-Date", date);
        projectId(uri.getRawPath()).ifPresent(project -> {
            signed.put("x-project-id", project);
            headers.putSingle("X-Project-Id", project);
        });
        keys.securityToken().ifPresent(token -> {
            signed.put("x-security-token", token);
            headers.putSingle("X-Security-Token", token);
        });
        byte[] body = request.getEntity() instanceof byte[] bytes ? bytes : new byte[0];
        if (request.hasEntity()) {
            String contentType = request.getMediaType() == null ? "application/json;charset=UTF-8" : request.getMediaType().toString();
            signed.put("content-type", contentType);
            headers.putSingle("Content-Type", contentType);
        }
        AkSkSigner.Request toSign = new AkSkSigner.Request(request.getMethod(), uri.getRawPath(), query(uri), signed, body);
        headers.putSingle("Authorization", AkSkSigner.authorization(toSign, keys.accessKey(), keys.secretKey(), date));
    }

    private static String host(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || ("https".equals(uri.getScheme()) && port == 443)
                || ("http".equals(uri.getScheme()) && port == 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    private static java.util.Optional<String> projectId(String path) {
        String[] segments = path.split("/");
        return segments.length > 2 && segments[1].startsWith("v3") ? java.util.Optional.of(segments[2]) : java.util.Optional.empty();
    }

    private static Map<String, List<String>> query(URI uri) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (uri.getRawQuery() == null || uri.getRawQuery().isEmpty()) {
            return query;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }
}
