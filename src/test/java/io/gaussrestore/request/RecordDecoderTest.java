package io.gaussrestore.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordDecoderTest {

    private final RecordDecoder decoder = new RecordDecoder(64);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all|record is not valid JSON",
            "[1, 2]|record is not a JSON object",
            "\"a string\"|record is not a JSON object",
            "42|record is not a JSON object",
            "null|record is not a JSON object",
            "{\"a\": 1} trailing|record is not valid JSON",
            "{\"a\": 1, \"a\": 2}|record is not valid JSON",
            "{\"a\": |record is not valid JSON"})
    void unreadableRecordsSayWhy(String value, String reason) {
        RecordDecoder.Decoded decoded = decoder.decode(value.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded).isInstanceOfSatisfying(RecordDecoder.Decoded.Unreadable.class,
                u -> assertThat(u.reason()).isEqualTo(reason));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65})
    void emptyAndOversizedRecordsAreUnreadable(int size) {
        byte[] value = ("{\"a\":\"" + "x".repeat(Math.max(0, size - 8)) + "\"}").substring(0, size).getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.decode(value)).isInstanceOf(RecordDecoder.Decoded.Unreadable.class);
        assertThat(decoder.decode(null)).isInstanceOf(RecordDecoder.Decoded.Unreadable.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"a\": [1, 2, {\"b\": null}]}", "  {\"名\": \"値\"}  "})
    void objectsUpToTheCapAreRead(String value) {
        assertThat(decoder.decode(value.getBytes(StandardCharsets.UTF_8))).isInstanceOf(RecordDecoder.Decoded.Json.class);
    }

    @org.junit.jupiter.api.Test
    void aRecordOfTooManyValuesIsNotTurnedIntoATreeButKeepsItsIdentity() {
        RecordDecoder big = new RecordDecoder(1 << 20);
        String value = "{\"request_id\":\"r-1\",\"restore_tables\":[" + "{},".repeat(30_000)
                + "{}],\"instance_id\":\"i\",\"reason\":{\"nested\":1},\"ticket\":7}";
        assertThat(big.decode(value.getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(
                RecordDecoder.Decoded.TooComplex.class, t -> {
                    assertThat(t.why()).contains("more than 50000 JSON values");
                    assertThat(t.identity().properties()).extracting(java.util.Map.Entry::getKey)
                            .containsExactly("request_id", "instance_id");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"deep", "deep-object", "number"})
    void recordsOverTheDepthOrNumberBoundsAreUnreadable(String shape) {
        RecordDecoder big = new RecordDecoder(1 << 20);
        String value = switch (shape) {
            case "deep" -> "{\"x\":" + "[".repeat(65) + "]".repeat(65) + "}";
            case "deep-object" -> "{\"x\":" + "{\"a\":".repeat(65) + "1" + "}".repeat(65) + "}";
            default -> "{\"restore_time\":" + "9".repeat(101) + "}";
        };
        assertThat(big.decode(value.getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(
                RecordDecoder.Decoded.Unreadable.class, u -> assertThat(u.reason()).isEqualTo("record too complex"));
        String within = switch (shape) {
            case "deep" -> "{\"x\":" + "[".repeat(60) + "]".repeat(60) + "}";
            case "deep-object" -> "{\"x\":" + "{\"a\":".repeat(60) + "1" + "}".repeat(60) + "}";
            default -> "{\"restore_time\":" + "9".repeat(100) + "}";
        };
        assertThat(big.decode(within.getBytes(StandardCharsets.UTF_8))).isInstanceOf(RecordDecoder.Decoded.Json.class);
    }
}
