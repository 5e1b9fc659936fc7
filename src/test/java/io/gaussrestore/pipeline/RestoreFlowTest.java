package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Request records through a real Kafka broker to the cloud API (WireMock) and back as result records. */
@QuarkusTest
class RestoreFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String EXAMPLE = io.gaussrestore.testing.Requests.EXAMPLE;

    @InjectCloudApi
    WireMockServer cloud;

    private void stubAccepted(String instanceId, String jobId) {
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withHeader("X-Request-Id", "cloud-" + jobId)
                .withBody("{\"job_id\": \"" + jobId + "\"}")));
    }

    private static JsonNode awaitFirstResult(String requestId) {
        await().atMost(WAIT).until(() -> !TestTopics.results(requestId).isEmpty());
        return TestTopics.resultValues(requestId).get(0);
    }

    @Test
    void theApiReferenceExampleIsSubmittedExactlyAsTheApiExpects() throws Exception {
        String instanceId = "61a4ea66210545909d74a05c27a7179ein07";
        String jobId = "9c77973c-9332-4fbe-bb4d-b76760dbc9b2";
        stubAccepted(instanceId, jobId);

        TestTopics.send(instanceId, EXAMPLE.formatted("INC-4711-orders", instanceId));

        await().atMost(WAIT).until(() -> !TestTopics.results("INC-4711-orders").isEmpty());
        ConsumerRecord<byte[], byte[]> record = TestTopics.results("INC-4711-orders").get(0);
        JsonNode result = TestTopics.json(record);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(result.get("job_id").asText()).isEqualTo(jobId);
        assertThat(result.get("attempts").asInt()).isEqualTo(1);
        assertThat(result.get("project_id").asText()).isEqualTo(PROJECT);
        assertThat(result.get("instance_id").asText()).isEqualTo(instanceId);
        assertThat(result.get("idempotency_key").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(result.get("requested_by").asText()).isEqualTo("incident-bot");
        assertThat(result.get("received_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(result.get("submitted_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(result.has("error")).isFalse();

        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("INC-4711-orders");
        assertThat(TestTopics.header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(TestTopics.header(record, "ce_type")).isEqualTo("gaussdb.restore.submitted");
        assertThat(TestTopics.header(record, "ce_subject")).isEqualTo("INC-4711-orders");
        assertThat(TestTopics.header(record, "ce_source")).isEqualTo("/gaussdb-restore-service");
        assertThat(TestTopics.header(record, "ce_id")).isNotBlank();
        assertThat(TestTopics.header(record, "ce_time")).isNotBlank();
        assertThat(TestTopics.header(record, "content-type")).isEqualTo("application/json");

        List<LoggedRequest> posts = cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))));
        assertThat(posts).hasSize(1);
        LoggedRequest post = posts.get(0);
        assertThat(post.getHeader("X-Auth-Token")).isEqualTo("test-token-not-a-secret");
        assertThat(post.getHeader("X-Language")).isEqualTo("en-us");
        assertThat(post.getHeader("Content-Type")).isEqualTo("application/json;charset=UTF-8");
        JsonNode body = JSON.readTree(post.getBodyAsString());
        assertThat(body.get("restore_time").isTextual()).as("restore_time is sent as a string").isTrue();
        assertThat(body.get("last_table_info").isTextual()).as("last_table_info is sent as a string").isTrue();
        cloud.verify(postRequestedFor(urlPathEqualTo(restorePath(instanceId))).withRequestBody(equalToJson("""
                {"restore_time": "1690890940000", "last_table_info": "true",
                 "restore_tables": [{"database": "test_db_1", "tables": [{"old_name": "t3", "new_name": "t3_1690899914000"}]}]}
                """)));
        assertThat(body.has("requested_by")).as("audit fields stay behind").isFalse();
        assertThat(body.has("request_id")).isFalse();
    }

    @Test
    void aMissingDatabaseFailsAtOnceWithItsCode() {
        String instanceId = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error_code\": \"DBS.200823\", \"error_msg\": \"The database does not exist.\"}")));
        String requestId = "missing-db-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("FAILED");
        assertThat(result.get("attempts").asInt()).isEqualTo(1);
        JsonNode error = result.get("error");
        assertThat(error.get("code").asText()).isEqualTo("DBS.200823");
        assertThat(error.get("message").asText()).isEqualTo("The database does not exist.");
        assertThat(error.get("http_status").asInt()).isEqualTo(400);
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).hasSize(1);
        assertThat(TestTopics.results(requestId)).hasSize(1);
    }

    @Test
    void serverErrorsWithAServiceBodyAreRetried() {
        // A project of its own: the 429 below states a limit of 60 a minute, which the rate budget remembers for
        // ten minutes; on the shared project it would slow every later test's POSTs.
        String project = UUID.randomUUID().toString().replace("-", "");
        String instanceId = instance();
        String path = "/v3/" + project + "/instances/" + instanceId + "/backups/restore/tables";
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("{\"error_code\": \"DBS.108000\", \"error_msg\": \"busy\"}"))
                .willSetStateTo("second"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"error_code\": \"APIGW.0308\", \"error_msg\": \"policy user over ratelimit,limit:60,time:1 minute\"}"))
                .willSetStateTo("third"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("third")
                .willReturn(aResponse().withStatus(200).withBody("{\"job_id\": \"job-after-retries\"}")));
        String requestId = "retried-" + UUID.randomUUID();
        double retriesBefore = Metrics.value("gaussdb_restore_api_retries_total", "operation=\"restore\"");

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId).replace(PROJECT, project));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(result.get("job_id").asText()).isEqualTo("job-after-retries");
        assertThat(result.get("attempts").asInt()).isEqualTo(3);
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(path)))).hasSize(3);
        assertThat(Metrics.value("gaussdb_restore_api_retries_total", "operation=\"restore\"")).isEqualTo(retriesBefore + 2);
    }

    private void stubInstance(String instanceId, String status) {
        cloud.stubFor(get(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instanceId)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"instance\": {\"id\": \"" + instanceId + "\", \"status\": \"" + status + "\"}}")));
    }

    @Test
    void aGatewayErrorOnThePostIsNotResubmittedWhileTheInstanceRestores() {
        String instanceId = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(502)
                .withBody("<html>Bad Gateway</html>")));
        stubInstance(instanceId, "RESTORING");
        String requestId = "ambiguous-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(result.get("error").get("message").asText()).contains("HTTP 502").contains("RESTORING")
                .contains("not sent again");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).hasSize(1);
    }

    @Test
    void aGatewayErrorOnThePostIsResubmittedWhenTheInstanceShowsNoRestore() {
        String instanceId = instance();
        String path = restorePath(instanceId);
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody("{\"job_id\": \"job-after-503\"}")));
        stubInstance(instanceId, "ACTIVE");
        String requestId = "ambiguous-active-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(result.get("job_id").asText()).isEqualTo("job-after-503");
        assertThat(result.get("attempts").asInt()).isEqualTo(2);
        List<LoggedRequest> calls = cloud.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(".*" + instanceId + ".*")));
        assertThat(calls).extracting(r -> r.getMethod().value()).containsExactly("POST", "GET", "POST");
    }

    @Test
    void threeServerErrorsThenSuccessTakeFourAttempts() {
        String instanceId = instance();
        String path = restorePath(instanceId);
        String state = Scenario.STARTED;
        for (int i = 1; i <= 3; i++) {
            cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(500).withBody("{\"error_code\": \"DBS.108000\", \"error_msg\": \"Server failure.\"}"))
                    .willSetStateTo("failed-" + i));
            state = "failed-" + i;
        }
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withBody("{\"job_id\": \"job-after-three-500s\"}")));
        String requestId = "three-500-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(result.get("attempts").asInt()).isEqualTo(4);
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(path)))).hasSize(4);
    }

    @Test
    void anInvalidRequestIsRejectedWithEveryViolationAndNoCall() {
        String requestId = "invalid-" + UUID.randomUUID();
        String instanceId = instance();
        String invalid = """
                {"request_id": "%s", "project_id": "nope", "instance_id": "%s",
                 "restore_time": "not a time", "last_table_info": "perhaps",
                 "restore_tables": [{"database": "db", "tables": [{"old_name": "订单", "new_name": "订单"}]}]}
                """.formatted(requestId, instanceId);

        TestTopics.send("k", invalid);

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("error").get("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(result.get("error").get("details")).extracting(d -> d.get("field").asText()).containsExactlyInAnyOrder(
                "$.project_id", "$.restore_time", "$.last_table_info",
                "$.restore_tables[0].tables[0].old_name", "$.restore_tables[0].tables[0].new_name");
        assertThat(result.get("error").get("details")).allSatisfy(d -> assertThat(d.get("message").asText()).isNotBlank());
        // Other classes' requests may still reach the shared cloud stub: none about this instance did.
        assertThat(cloud.getAllServeEvents()).noneMatch(e -> e.getRequest().getUrl().contains(instanceId));
    }

    @Test
    void unreadableRecordsAreDeadLetteredAndTheNextRecordIsStillProcessed() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-after-garbage");
        byte[] garbage = ("not json " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] array = ("[\"" + UUID.randomUUID() + "\"]").getBytes(StandardCharsets.UTF_8);
        byte[] oversized = ("{\"pad\": \"" + "x".repeat(70_000) + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
        String requestId = "after-garbage-" + UUID.randomUUID();
        double deadLetteredBefore = Metrics.value("gaussdb_restore_requests_total", "outcome=\"dead_lettered\"");

        TestTopics.send(instanceId, garbage, Map.of());
        TestTopics.send(instanceId, array, Map.of());
        TestTopics.send(instanceId, oversized, Map.of());
        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("SUBMITTED");
        await().atMost(WAIT).until(() -> !TestTopics.deadLetters(garbage).isEmpty()
                && !TestTopics.deadLetters(array).isEmpty() && !TestTopics.deadLetters(oversized).isEmpty());
        ConsumerRecord<byte[], byte[]> dead = TestTopics.deadLetters(garbage).get(0);
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(instanceId);
        assertThat(TestTopics.header(dead, "dead-letter-reason")).isEqualTo("record is not valid JSON");
        assertThat(TestTopics.header(dead, "dead-letter-cause")).isNotBlank();
        assertThat(TestTopics.header(dead, "dead-letter-topic")).isEqualTo("gaussdb-restore-requests");
        assertThat(TestTopics.header(dead, "dead-letter-partition")).matches("\\d+");
        assertThat(TestTopics.header(dead, "dead-letter-offset")).matches("\\d+");
        assertThat(TestTopics.header(TestTopics.deadLetters(array).get(0), "dead-letter-reason")).isEqualTo("record is not a JSON object");
        assertThat(TestTopics.header(TestTopics.deadLetters(oversized).get(0), "dead-letter-reason")).isEqualTo("record too large");
        assertThat(Metrics.value("gaussdb_restore_requests_total", "outcome=\"dead_lettered\"")).isEqualTo(deadLetteredBefore + 3);
    }

    @Test
    void withoutARequestIdTheCeIdHeaderThenTheBusinessKeyNameTheRequest() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-ce-id");
        String ceId = "ce-" + UUID.randomUUID();
        String noId = EXAMPLE.formatted("x", instanceId).replace("\"request_id\": \"x\",", "");

        TestTopics.send(instanceId, noId.getBytes(StandardCharsets.UTF_8), Map.of("ce_id", ceId));
        JsonNode viaHeader = awaitFirstResult(ceId);
        assertThat(viaHeader.get("request_id").asText()).isEqualTo(ceId);

        TestTopics.send(instanceId, noId.getBytes(StandardCharsets.UTF_8), Map.of());
        String businessKey = viaHeader.get("idempotency_key").asText();
        JsonNode viaKey = awaitFirstResult(businessKey);
        assertThat(viaKey.get("request_id").asText()).isEqualTo(businessKey);
    }

    @Test
    void theMetricsMove() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-metrics");
        double submitted = Metrics.value("gaussdb_restore_requests_total", "outcome=\"submitted\"");
        double calls = Metrics.value("gaussdb_restore_api_calls_total", "operation=\"restore\"", "status=\"200\"");
        double apiLatency = Metrics.value("gaussdb_restore_api_latency_seconds_count", "operation=\"restore\"");
        double requestLatency = Metrics.value("gaussdb_restore_request_latency_seconds_count");
        String requestId = "metrics-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));
        awaitFirstResult(requestId);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Metrics.value("gaussdb_restore_requests_total", "outcome=\"submitted\"")).isEqualTo(submitted + 1);
            assertThat(Metrics.value("gaussdb_restore_api_calls_total", "operation=\"restore\"", "status=\"200\"")).isEqualTo(calls + 1);
            assertThat(Metrics.value("gaussdb_restore_api_latency_seconds_count", "operation=\"restore\"")).isEqualTo(apiLatency + 1);
            assertThat(Metrics.value("gaussdb_restore_request_latency_seconds_count")).isEqualTo(requestLatency + 1);
        });
        for (String outcome : List.of("submitted", "rejected", "duplicate", "failed", "unknown", "dead_lettered")) {
            assertThat(io.gaussrestore.testing.Api.management().get("/q/metrics").asString())
                    .contains("gaussdb_restore_requests_total{outcome=\"" + outcome + "\"}");
        }
    }

    @Test
    void aRefusedFixedTokenFailsClearlyWithoutRetriesOrLeaks() {
        String instanceId = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).withHeader("X-Auth-Token", equalTo("test-token-not-a-secret"))
                .willReturn(aResponse().withStatus(401).withBody("{\"error_code\": \"APIGW.0301\", \"error_msg\": \"token test-token-not-a-secret expired\"}")));
        String requestId = "auth-" + UUID.randomUUID();

        TestTopics.send(instanceId, EXAMPLE.formatted(requestId, instanceId));

        JsonNode result = awaitFirstResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("FAILED");
        assertThat(result.get("error").get("code").asText()).isEqualTo("AUTH.CREDENTIALS_REFUSED");
        assertThat(result.get("error").get("message").asText()).contains("GAUSSDB_AUTH_TOKEN");
        assertThat(result.get("error").get("http_status").asInt()).isEqualTo(401);
        assertThat(result.toString()).doesNotContain("test-token-not-a-secret");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).as("no retry loop").hasSize(1);
    }
}
