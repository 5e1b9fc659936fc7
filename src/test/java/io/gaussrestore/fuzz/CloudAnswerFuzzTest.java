package io.gaussrestore.fuzz;

import static io.gaussrestore.testing.Requests.PROJECT;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cloud's answers fuzzed: malformed and truncated JSON, wrong content types, huge bodies and messages,
 * invalid UTF-8, odd statuses and Retry-After values, answers slower than the read time-out, and garbage from the
 * instance look that resolves a lost answer. 60 cases in the suite ({@code -Dfuzz.cloud.cases} for more), each
 * answered once; a later POST is refused with DBS.200001. Every request ends in one first result, SUBMITTED only
 * with the job id the cloud really gave, otherwise FAILED or UNKNOWN with a short, clear message; nothing hangs.
 */
@QuarkusTest
class CloudAnswerFuzzTest {

    private static final String[] CONTENT_TYPES = {"application/json", "application/json;charset=UTF-8", "text/html",
            "application/octet-stream", "text/plain; charset=ISO-8859-1", null};
    private static final int[] STATUSES = {200, 200, 200, 201, 202, 204, 301, 400, 401, 403, 404, 409, 413, 418, 429,
            500, 502, 503, 504};
    private static final String[] RETRY_AFTER = {null, "1", "0", "-5", "abc", "99999999999",
            "Wed, 21 Oct 2015 07:28:00 GMT", "1.5"};

    @InjectCloudApi
    WireMockServer cloud;

    private record Answer(int status, byte[] body, String contentType, String retryAfter, int delayMillis,
            String usableJobId, String description) {}

    @Test
    void everyAnswerEndsInOneClearResultAndNothingHangs() {
        int count = Integer.getInteger("fuzz.cloud.cases", 60);
        SplittableRandom random = new SplittableRandom(RequestFuzzTest.SEED);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Answer> answers = new TreeMap<>();
        long restoreTime = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        for (int i = 0; i < count; i++) {
            String instance = io.gaussrestore.testing.Requests.instance();
            Answer answer = answer(random);
            String path = "/v3/" + PROJECT + "/instances/" + instance;
            String scenario = "cloud-fuzz-" + instance;
            ResponseDefinitionBuilder fuzzed = aResponse().withStatus(answer.status()).withBody(answer.body())
                    .withFixedDelay(answer.delayMillis());
            if (answer.contentType() != null) {
                fuzzed.withHeader("Content-Type", answer.contentType());
            }
            if (answer.retryAfter() != null) {
                fuzzed.withHeader("Retry-After", answer.retryAfter());
            }
            cloud.stubFor(post(urlPathEqualTo(path + "/backups/restore/tables")).inScenario(scenario)
                    .whenScenarioStateIs(Scenario.STARTED).willReturn(fuzzed).willSetStateTo("answered"));
            cloud.stubFor(post(urlPathEqualTo(path + "/backups/restore/tables")).inScenario(scenario)
                    .whenScenarioStateIs("answered").willReturn(aResponse().withStatus(400)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"error_code\": \"DBS.200001\", \"error_msg\": \"Parameter error.\"}")));
            // The look that resolves a lost answer: sometimes garbage first, then ACTIVE or RESTORING.
            String status = random.nextBoolean() ? "ACTIVE" : "RESTORING";
            String look = "look-" + scenario;
            cloud.stubFor(get(urlPathEqualTo(path)).inScenario(look).whenScenarioStateIs(Scenario.STARTED)
                    .willReturn(random.nextInt(3) == 0
                            ? aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                                    .withBody("{\"instance\": {\"status\": ")
                            : instance(status)).willSetStateTo("looked"));
            cloud.stubFor(get(urlPathEqualTo(path)).inScenario(look).whenScenarioStateIs("looked")
                    .willReturn(instance(status)));
            String requestId = "cloud-fuzz-" + run + "-" + i;
            answers.put(requestId, answer);
            TestTopics.send(instance, """
                    {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                     "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                    """.formatted(requestId, PROJECT, instance, restoreTime));
        }

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> answers.keySet().stream().allMatch(id -> !firstResults(id).isEmpty()));

        Map<String, Long> statuses = new TreeMap<>();
        for (Map.Entry<String, Answer> entry : answers.entrySet()) {
            List<JsonNode> results = firstResults(entry.getKey());
            Answer answer = entry.getValue();
            assertThat(results).as("first results for " + answer.description()).hasSize(1);
            JsonNode result = results.get(0);
            String status = result.get("status").asText();
            statuses.merge(status, 1L, Long::sum);
            assertThat(status).as(answer.description()).isIn("SUBMITTED", "FAILED", "UNKNOWN");
            if (status.equals("SUBMITTED")) {
                assertThat(result.get("job_id").asText()).as(answer.description()).isEqualTo(answer.usableJobId());
            } else {
                String message = result.get("error").get("message").asText();
                assertThat(message).as(answer.description()).isNotBlank().hasSizeLessThan(2_000)
                        .doesNotContain("\tat ").doesNotContain("\u0000");
            }
            if (answer.usableJobId() != null) {
                assertThat(status).as("a job id was given: " + answer.description()).isEqualTo("SUBMITTED");
            }
        }
        System.out.printf("cloud answer fuzzing, seed %d: %d answers, first results %s%n", RequestFuzzTest.SEED,
                count, statuses);
        given().spec(Api.management()).get("/q/health/live").then().statusCode(200);
    }

    private static ResponseDefinitionBuilder instance(String status) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"instance\": {\"id\": \"x\", \"status\": \"" + status + "\"}}");
    }

    private static List<JsonNode> firstResults(String requestId) {
        Set<String> first = Set.of("SUBMITTED", "FAILED", "UNKNOWN", "REJECTED", "DUPLICATE", "QUEUED");
        return TestTopics.resultValues(requestId).stream().filter(r -> first.contains(r.get("status").asText()))
                .collect(Collectors.toList());
    }

    private static Answer answer(SplittableRandom random) {
        int status = STATUSES[random.nextInt(STATUSES.length)];
        String contentType = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        String retryAfter = RETRY_AFTER[random.nextInt(RETRY_AFTER.length)];
        // Three times the tests' 2 s read time-out: an answer only just late can still be read on a loaded machine
        // (the idle check runs on a busy event loop), and this case is about an answer that never comes in time.
        int delay = random.nextInt(10) == 0 ? 6_000 : 0;
        String jobId = UUID.randomUUID().toString();
        String usable = null;
        byte[] body;
        String shape;
        // A third of the successes carry a usable job id; the rest of the answers are malformed in some way.
        switch (status >= 200 && status < 300 && random.nextInt(3) == 0 ? 0 : random.nextInt(12)) {
            case 0 -> {
                shape = "a job id";
                body = utf8("{\"job_id\": \"" + jobId + "\"}");
                usable = status >= 200 && status <= 202 && delay == 0 ? jobId : null;
            }
            case 1 -> {
                shape = "truncated JSON";
                body = utf8("{\"job_id\": \"" + jobId.substring(0, 10));
            }
            case 2 -> {
                shape = "job_id a number";
                body = utf8("{\"job_id\": 12345}");
            }
            case 3 -> {
                shape = "job_id of 500 characters";
                body = utf8("{\"job_id\": \"" + "j".repeat(500) + "\"}");
            }
            case 4 -> {
                shape = "HTML";
                body = utf8("<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>");
            }
            case 5 -> {
                shape = "2 MiB array";
                body = utf8("[" + "1,".repeat(1024 * 1024) + "1]");
            }
            case 6 -> {
                shape = "invalid UTF-8 and NUL";
                body = new byte[] {'{', '"', 'j', 'o', 'b', '_', 'i', 'd', '"', ':', '"', (byte) 0xC3, 0x00, (byte) 0xFF, '"', '}'};
            }
            case 7 -> {
                shape = "error body of the wrong shape";
                body = utf8("{\"error_code\": {\"x\": [1, 2]}, \"error_msg\": 42}");
            }
            case 8 -> {
                shape = "error message of 100 KB";
                body = utf8("{\"error_code\": \"DBS.200019\", \"error_msg\": \"" + "m".repeat(100_000) + "\"}");
            }
            case 9 -> {
                shape = "error code with control characters";
                body = utf8("{\"error_code\": \"DBS.\\u0000\\n\\u001b[31m\", \"error_msg\": \"line\\nbreak\"}");
            }
            case 10 -> {
                shape = "empty";
                body = new byte[0];
            }
            default -> {
                shape = "deep nesting";
                body = utf8("[".repeat(5_000) + "]".repeat(5_000));
            }
        }
        String description = "HTTP %d, %s, content type %s, Retry-After %s, delay %d ms".formatted(status, shape,
                contentType, retryAfter, delay);
        return new Answer(status, body, contentType, retryAfter, delay, usable, description);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
