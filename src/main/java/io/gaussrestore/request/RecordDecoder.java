package io.gaussrestore.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** Turns the raw bytes of a record into a JSON object, or says why they belong on the dead-letter topic. */
public final class RecordDecoder {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

    private final int maxBytes;

    public RecordDecoder(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The outcome of decoding. */
    public sealed interface Decoded {
        /** The record is a JSON object. */
        record Json(ObjectNode object) implements Decoded {}

        /** The record cannot be a request: reason for people, detail from the parser. */
        record Unreadable(String reason, String detail) implements Decoded {}
    }

    public Decoded decode(byte[] value) {
        if (value == null || value.length == 0) {
            return new Decoded.Unreadable("record has no value", "an empty record or a tombstone is not a request");
        }
        if (value.length > maxBytes) {
            return new Decoded.Unreadable("record too large",
                    value.length + " bytes is over the maximum of " + maxBytes + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (IOException e) {
            return new Decoded.Unreadable("record is not valid JSON", firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            return new Decoded.Unreadable("record is not a JSON object",
                    "found " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        return new Decoded.Json((ObjectNode) node);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
