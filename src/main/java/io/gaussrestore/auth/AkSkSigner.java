package io.gaussrestore.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Huawei Cloud's SDK-HMAC-SHA256 request signature (section 4 of the API facts). Pure: the date is an input.
 * Used by the client to sign and by the simulator to verify.
 */
public final class AkSkSigner {

    public static final String ALGORITHM = "SDK-HMAC-SHA256";
    public static final DateTimeFormatter SDK_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private AkSkSigner() {}

    /**
     * A request to sign, exactly as it will be sent.
     *
     * @param path the path as sent, without the query
     * @param query decoded query parameters
     * @param headers the headers to sign (names in any case; values as sent)
     */
    public record Request(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
            byte[] body) {}

    /** The value of the {@code Authorization} header. */
    public static String authorization(Request request, String accessKey, String secretKey, String sdkDate) {
        Map<String, String> headers = canonicalHeaderMap(request.headers());
        String signedHeaders = String.join(";", headers.keySet());
        return ALGORITHM + " Access=" + accessKey + ", SignedHeaders=" + signedHeaders + ", Signature="
                + signature(request, secretKey, sdkDate);
    }

    /** The hex signature over a request. */
    public static String signature(Request request, String secretKey, String sdkDate) {
        String stringToSign = ALGORITHM + "\n" + sdkDate + "\n" + hex(sha256(canonicalRequest(request)
                .getBytes(StandardCharsets.UTF_8)));
        return hex(hmac(secretKey, stringToSign));
    }

    public static String sdkDate(Instant now) {
        return SDK_DATE.format(now);
    }

    static String canonicalRequest(Request request) {
        Map<String, String> headers = canonicalHeaderMap(request.headers());
        StringBuilder headerBlock = new StringBuilder();
        headers.forEach((name, value) -> headerBlock.append(name).append(':').append(value).append('\n'));
        return request.method().toUpperCase(Locale.ROOT) + "\n"
                + canonicalUri(request.path()) + "\n"
                + canonicalQuery(request.query()) + "\n"
                + headerBlock + "\n"
                + String.join(";", headers.keySet()) + "\n"
                + hex(sha256(request.body() == null ? new byte[0] : request.body()));
    }

    static String canonicalUri(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            segments.add(encode(segment));
        }
        String uri = String.join("/", segments);
        return uri.endsWith("/") ? uri : uri + "/";
    }

    static String canonicalQuery(Map<String, List<String>> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        TreeMap<String, List<String>> sorted = new TreeMap<>();
        query.forEach((key, values) -> sorted.put(encode(key), values.stream().map(AkSkSigner::encode).sorted().toList()));
        return sorted.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> e.getKey() + "=" + v))
                .collect(Collectors.joining("&"));
    }

    private static Map<String, String> canonicalHeaderMap(Map<String, String> headers) {
        TreeMap<String, String> sorted = new TreeMap<>();
        headers.forEach((name, value) -> sorted.put(name.toLowerCase(Locale.ROOT), value == null ? "" : value.trim()));
        return sorted;
    }

    /** URL encoding as the SDK does it: space as %20, '*' as %2A, '~' kept. */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8)
                .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
