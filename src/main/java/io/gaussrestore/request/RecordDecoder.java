package io.gaussrestore.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;

/**
 * Turns the raw bytes of a record into a JSON object, or says why they belong on the dead-letter topic. What one
 * record may cost is bounded before any of it is kept: at most {@link #MAX_VALUES} JSON values (a request of the
 * largest size the rules allow needs about half as many), nesting at most {@link #MAX_DEPTH} deep, numbers of at
 * most {@link #MAX_NUMBER_LENGTH} characters. A record over those bounds is not turned into a tree: its top-level
 * fields that are plain values are read in one streaming pass (constant memory), so that it can be REJECTED under
 * its own request_id.
 */
public class RecordDecoder {

    /** JSON values (tokens) one record may hold. */
    public static final int MAX_VALUES = 50_000;
    /** How deeply arrays and objects may nest. */
    public static final int MAX_DEPTH = 64;
    /** Characters of one number. */
    public static final int MAX_NUMBER_LENGTH = 100;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxTokenCount(MAX_VALUES)
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();
    /** The streaming pass over a record too large for a tree: no count of values, the same depth and numbers. */
    private static final JsonFactory SCAN = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** The top-level fields a rejected request is named and described by. */
    private static final Set<String> IDENTITY_FIELDS = Set.of("request_id", "project_id", "instance_id",
            "requested_by", "reason", "ticket");

    private final int maxBytes;

    public RecordDecoder(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The outcome of decoding. */
    public sealed interface Decoded {
        /** The record is a JSON object. */
        record Json(ObjectNode object) implements Decoded {}

        /**
         * The record is a JSON object over the bounds: {@code identity} holds its top-level fields that name and
         * describe a request (request_id, project_id, instance_id, requested_by, reason, ticket) where they are
         * plain values; {@code why} says which bound it broke.
         */
        record TooComplex(ObjectNode identity, String why) implements Decoded {}

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
        } catch (StreamConstraintsException e) {
            return tooComplex(value, e);
        } catch (IOException e) {
            return new Decoded.Unreadable("record is not valid JSON", firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            return new Decoded.Unreadable("record is not a JSON object",
                    "found " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        return new Decoded.Json((ObjectNode) node);
    }

    /** Only its top-level identity fields are kept; nested values are skipped as they stream past. */
    private static Decoded tooComplex(byte[] value, StreamConstraintsException bound) {
        String why = why(bound);
        ObjectNode identity = JsonNodeFactory.instance.objectNode();
        try (JsonParser parser = SCAN.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Decoded.Unreadable("record is not a JSON object", "found a value over the bounds: " + why);
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken fieldValue = parser.nextToken();
                if (fieldValue.isStructStart()) {
                    parser.skipChildren();
                } else if (fieldValue == JsonToken.VALUE_STRING && IDENTITY_FIELDS.contains(field)) {
                    identity.put(field, parser.getText());
                }
            }
            if (parser.nextToken() != null) {
                return new Decoded.Unreadable("record is not valid JSON", "more than one JSON value");
            }
        } catch (IOException e) {
            return new Decoded.Unreadable("record too complex", why + "; " + firstLine(e.getMessage()));
        }
        return new Decoded.TooComplex(identity, why);
    }

    private static String why(StreamConstraintsException bound) {
        String message = String.valueOf(bound.getOriginalMessage());
        if (message.contains("Token count")) {
            return "the record holds more than " + MAX_VALUES + " JSON values (a request of the largest size the "
                    + "rules allow needs far fewer)";
        }
        if (message.contains("nesting depth")) {
            return "the record nests arrays and objects more than " + MAX_DEPTH + " deep";
        }
        if (message.contains("Number value length")) {
            return "the record holds a number of more than " + MAX_NUMBER_LENGTH + " characters";
        }
        return "the record is over the bounds of what one request may hold: " + firstLine(message);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
