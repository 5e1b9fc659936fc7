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
}
