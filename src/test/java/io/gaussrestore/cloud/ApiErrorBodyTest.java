package io.gaussrestore.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiErrorBodyTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"error_code\": \"DBS.200823\", \"error_msg\": \"The database does not exist.\"}|DBS.200823|The database does not exist.",
            "{\"error_msg\": \"policy user over ratelimit,limit:60,time:1 minute\", \"error_code\": \"APIGW.0308\", \"request_id\": \"abc\"}|APIGW.0308|policy user over ratelimit,limit:60,time:1 minute",
            "{\"code\": \"APIGW.0301\", \"message\": \"Incorrect IAM authentication information\"}|APIGW.0301|Incorrect IAM authentication information",
            "{\"error_code\": \"DBS.108000\"}|DBS.108000|''",
            "{\"error_code\": \"DBS.200001\", \"error_msg\": null}|DBS.200001|''"})
    void readsErrorBodies(String body, String code, String message) {
        assertThat(ApiErrorBody.parse(body)).contains(new ApiErrorBody(code, message));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"<html><body>502 Bad Gateway</body></html>", "[]", "\"DBS.200001\"", "{\"error_msg\": \"no code\"}",
            "{\"error_code\": {\"nested\": 1}}", "{not json"})
    void bodiesWithoutACodeAreNotErrorBodies(String body) {
        assertThat(ApiErrorBody.parse(body)).isEqualTo(Optional.empty());
    }

    @org.junit.jupiter.api.Test
    void aHugeMessageIsCutAndSaysHowLongItWas() {
        String body = "{\"error_code\": \"DBS.200019\", \"error_msg\": \"" + "m".repeat(100_000) + "\"}";

        String message = ApiErrorBody.parse(body).orElseThrow().errorMsg();

        assertThat(message).hasSizeLessThanOrEqualTo(ApiErrorBody.MAX_MESSAGE).startsWith("mmmm")
                .endsWith("...[truncated from 100000 characters]");
    }
}
