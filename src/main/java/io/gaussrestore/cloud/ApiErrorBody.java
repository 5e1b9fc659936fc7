package io.gaussrestore.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.request.Bounded;
import java.io.IOException;
import java.util.Optional;

/**
 * The error body of a 4xx/5xx answer: {@code {"error_code": "DBS.xxxxxx", "error_msg": "..."}}, cleaned of control
 * characters and bounded (code 64, message 1,000 characters) before anything stores or publishes it.
 */
public record ApiErrorBody(String errorCode, String errorMsg) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The API's messages are a sentence; anything longer is cut so that a result stays readable. */
    static final int MAX_MESSAGE = 1000;
    /** The ledger's error_code column; the API's codes are a dozen characters. */
    static final int MAX_CODE = 64;

    /**
     * Reads an error body; gateways and proxies may answer with HTML or nothing, which gives empty.
     * Both {@code error_code/error_msg} and the gateway's {@code code/message} spellings are understood.
     */
    public static Optional<ApiErrorBody> parse(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        String code = text(node, "error_code", "code");
        String message = text(node, "error_msg", "message");
        if (code == null) {
            return Optional.empty();
        }
        return Optional.of(new ApiErrorBody(Bounded.cut(code, MAX_CODE),
                message == null ? "" : Bounded.text(message, MAX_MESSAGE)));
    }

    private static String text(JsonNode node, String name, String alternative) {
        JsonNode value = node.hasNonNull(name) ? node.get(name) : node.get(alternative);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    /** Whether the code is a GaussDB service code (DBS.*), which proves the request reached the service. */
    public boolean isServiceCode() {
        return errorCode.startsWith("DBS.");
    }
}
