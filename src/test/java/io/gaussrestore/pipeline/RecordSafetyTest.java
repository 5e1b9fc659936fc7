package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.CloudStubs;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.TestTopics;
import io.gaussrestore.throttling.CircuitBreaker;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Records that used to stop a partition or double a restore, through the real broker to WireMock: each ends in
 * exactly one result or one dead-letter record, and the next record is still served.
 */
@QuarkusTest
class RecordSafetyTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REQUEST = """
            {%s"project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
             "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_%s"}]}]%s}
            """;

    @InjectCloudApi
    WireMockServer cloud;

    @Inject
    CircuitBreaker circuit;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    io.gaussrestore.ledger.LedgerStore store;

    private static String request(String requestId, String instanceId, String extra) {
        return REQUEST.formatted(requestId == null ? "" : "\"request_id\": \"" + requestId + "\", ", PROJECT, instanceId,
                UUID.randomUUID().toString().substring(0, 8), extra);
    }

    private void stubAccepted(String instanceId, String jobId) {
        CloudStubs.acceptRestores(cloud, instanceId, jobId);
    }

    private static JsonNode onlyResult(String requestId) {
        await().atMost(WAIT).until(() -> !TestTopics.results(requestId).isEmpty());
        assertThat(TestTopics.results(requestId)).hasSize(1);
        return TestTopics.resultValues(requestId).get(0);
    }

    /** A valid request sent after the poison one is still answered: the partition did not stall. */
    private void theNextRecordIsServed(String key) {
        String instanceId = instance();
        stubAccepted(instanceId, "job-next");
        String requestId = "next-" + UUID.randomUUID();
        TestTopics.send(key, request(requestId, instanceId, ""));
        assertThat(onlyResult(requestId).get("status").asText()).isEqualTo("SUBMITTED");
    }

    @Test
    void anInstanceIdOf200CharactersIsRejectedOnceWithTheFieldCut() {
        String instanceId = "i".repeat(200);
        String requestId = "long-instance-" + UUID.randomUUID();

        TestTopics.send("same-partition", request(requestId, instanceId, ""));

        JsonNode result = onlyResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("instance_id").asText()).hasSizeLessThanOrEqualTo(64)
                .startsWith("iiii").endsWith("[truncated from 200 characters]");
        assertThat(result.get("error").get("details").toString()).contains("$.instance_id");
        theNextRecordIsServed("same-partition");
    }

    @Test
    void aCeIdOfAThousandCharactersIsNotUsedAsTheRequestId() {
        String invalid = "{\"project_id\": \"nope\", \"note\": \"" + UUID.randomUUID() + "\"}";
        byte[] bytes = invalid.getBytes(StandardCharsets.UTF_8);

        TestTopics.send("ce-partition", bytes, Map.of("ce_id", "c".repeat(1000)));

        JsonNode result = onlyResult("sha256:" + BusinessKey.sha256Hex(bytes));
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(TestTopics.results("c".repeat(1000))).isEmpty();

        String instanceId = instance();
        stubAccepted(instanceId, "job-ce");
        String valid = request(null, instanceId, "");
        TestTopics.send(instanceId, valid.getBytes(StandardCharsets.UTF_8), Map.of("ce_id", "d".repeat(1000)));
        await().atMost(WAIT).until(() -> cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId)))).size() == 1);
        theNextRecordIsServed("ce-partition");
    }

    @Test
    void aRecordFullOfBadTablesIsRejectedWithACappedList() {
        StringBuilder tables = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            tables.append(i == 0 ? "" : ",").append("{\"old_name\": \"t#").append(i).append("\"}");
        }
        String requestId = "many-violations-" + UUID.randomUUID();
        String body = """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "shop", "tables": [%s]}]}
                """.formatted(requestId, PROJECT, instance(), tables);
        assertThat(body.length()).isLessThan(65536);

        TestTopics.send("violations", body);

        ConsumerRecord<byte[], byte[]> record;
        await().atMost(WAIT).until(() -> !TestTopics.results(requestId).isEmpty());
        record = TestTopics.results(requestId).get(0);
        JsonNode result = TestTopics.json(record);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        JsonNode details = result.get("error").get("details");
        assertThat(details).hasSize(100);
        assertThat(details.get(99).get("message").asText()).contains("more violations are not listed").contains("3000 in all");
        assertThat(result.get("error").get("message").asText()).startsWith("3000 rule(s) broken");
        assertThat(record.value().length).isLessThan(32 * 1024);
        theNextRecordIsServed("violations");
    }

    @Test
    void controlCharactersInAuditFieldsAreRejectedNotStored() {
        String requestId = "control-" + UUID.randomUUID();
        String instanceId = instance();

        TestTopics.send(instanceId, request(requestId, instanceId, ", \"requested_by\": \"bot\\u0000\\u0007\""));

        JsonNode result = onlyResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("error").get("details").toString()).contains("$.requested_by").contains("control characters");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).isEmpty();
    }

    @Test
    void ruleBreakingRecordsRunSideBySideYetKeepTheirPlaceInTheInstancesLine() {
        String instanceId = instance();
        // The first restore's answer takes a second: everything after it on the instance must wait for it.
        CloudStubs.acceptRestoresSlowly(cloud, instanceId, "job-line", 1000);
        String first = "line-first-" + UUID.randomUUID();
        String last = "line-last-" + UUID.randomUUID();
        List<String> broken = new java.util.ArrayList<>();

        TestTopics.send(instanceId, request(first, instanceId, ""));
        for (int i = 0; i < 30; i++) {
            String id = "line-broken-" + i + "-" + UUID.randomUUID();
            broken.add(id);
            TestTopics.send(instanceId, request(id, instanceId, ", \"requested_by\": \"bot\\u0007\""));
        }
        TestTopics.send(instanceId, request(last, instanceId, ""));

        JsonNode lastResult = onlyResult(last);
        assertThat(lastResult.get("status").asText()).isIn("SUBMITTED", "QUEUED");
        long lastAt = TestTopics.results(last).get(0).timestamp();
        long firstAt = TestTopics.results(first).get(0).timestamp();
        for (String id : broken) {
            assertThat(onlyResult(id).get("status").asText()).isEqualTo("REJECTED");
            long at = TestTopics.results(id).get(0).timestamp();
            assertThat(at).as("a broken record waits for the request before it").isGreaterThanOrEqualTo(firstAt);
            assertThat(lastAt).as("the request after the broken records waits for them all").isGreaterThanOrEqualTo(at);
        }
    }

    @Test
    void newIdsForARestoreAlreadySubmittedRunSideBySideAsDuplicatesYetKeepTheirPlaceInTheLine() {
        String instanceId = instance();
        CloudStubs.acceptRestoresSlowly(cloud, instanceId, "job-dup-line", 300);
        String original = "dup-original-" + UUID.randomUUID();
        String record = request(original, instanceId, "");
        TestTopics.send(instanceId, record);
        // Once submitted, its restore is held for the whole window: a new id asking for it is a duplicate.
        assertThat(onlyResult(original).get("status").asText()).isEqualTo("SUBMITTED");
        List<String> again = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = "dup-again-" + i + "-" + UUID.randomUUID();
            again.add(id);
            TestTopics.send(instanceId, record.replace(original, id));
        }
        String last = "dup-last-" + UUID.randomUUID();
        TestTopics.send(instanceId, request(last, instanceId, ""));

        assertThat(onlyResult(last).get("status").asText()).isIn("SUBMITTED", "QUEUED");
        long lastAt = TestTopics.results(last).get(0).timestamp();
        for (String id : again) {
            JsonNode result = onlyResult(id);
            assertThat(result.get("status").asText()).isEqualTo("DUPLICATE");
            assertThat(result.get("duplicate_of").asText()).isEqualTo(original);
            assertThat(lastAt).as("the request after the duplicates waits for them all")
                    .isGreaterThanOrEqualTo(TestTopics.results(id).get(0).timestamp());
        }
        java.util.regex.Matcher table = java.util.regex.Pattern.compile("orders_[0-9a-f-]{8}").matcher(record);
        assertThat(table.find()).isTrue();
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId)))))
                .filteredOn(call -> call.getBodyAsString().contains(table.group()))
                .as("the restore was sent once, for the original").hasSize(1);
    }

    @Test
    void aNewIdForARestoreWhoseJobFailedSinceIsSentNotAnsweredAsADuplicate() throws Exception {
        String instanceId = instance();
        stubAccepted(instanceId, "job-failed-since");
        String original = "failed-since-" + UUID.randomUUID();
        String record = request(original, instanceId, "");
        TestTopics.send(instanceId, record);
        assertThat(onlyResult(original).get("status").asText()).isEqualTo("SUBMITTED");
        // The job failed (as a tracker would record it): the restore's key is free again, though the dispatcher
        // still remembers it as held and lets the next record for it run beside the line.
        try (java.sql.Connection c = store.dataSource().getConnection();
                java.sql.PreparedStatement s = c.prepareStatement(
                        "UPDATE restore_request SET state = 'FAILED', job_status = 'Failed' WHERE request_id = ?")) {
            s.setString(1, original);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        String again = "failed-since-again-" + UUID.randomUUID();

        TestTopics.send(instanceId, record.replace(original, again));

        assertThat(onlyResult(again).get("status").asText()).as("the ledger decides: sent again")
                .isIn("SUBMITTED", "QUEUED");
        await().atMost(WAIT).untilAsserted(() -> assertThat(cloud.findAll(postRequestedFor(
                urlPathEqualTo(restorePath(instanceId))))).hasSize(2));
    }

    @Test
    void aRepeatOfASettledRequestIsAnsweredWithoutWaitingBehindASlowOne() {
        String instanceId = instance();
        String path = restorePath(instanceId);
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody("{\"job_id\": \"job-settled\"}")).willSetStateTo("slow"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("slow")
                .willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("{\"job_id\": \"job-slow\"}")));
        String settled = "settled-" + UUID.randomUUID();
        String record = request(settled, instanceId, "");
        TestTopics.send(instanceId, record);
        assertThat(onlyResult(settled).get("status").asText()).isEqualTo("SUBMITTED");
        String slow = "slow-" + UUID.randomUUID();

        TestTopics.send(instanceId, request(slow, instanceId, ""));
        TestTopics.send(instanceId, record);

        await().atMost(WAIT).until(() -> TestTopics.results(settled).size() == 2 && !TestTopics.results(slow).isEmpty());
        long repeatAnsweredAt = TestTopics.results(settled).get(1).timestamp();
        long slowAnsweredAt = TestTopics.results(slow).get(0).timestamp();
        assertThat(repeatAnsweredAt).as("the repeat never reaches the cloud, so it does not wait for the slow POST")
                .isLessThan(slowAnsweredAt - 1000);
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(path)))).hasSize(2);
    }

    @Test
    void aRecordOlderThanTheDeduplicationWindowIsRejectedAsAPossibleReplay() {
        String requestId = "replayed-" + UUID.randomUUID();
        String instanceId = instance();
        stubAccepted(instanceId, "job-replay");
        long eightDaysAgo = Instant.now().minus(Duration.ofDays(8)).toEpochMilli();

        TestTopics.send(instanceId, request(requestId, instanceId, "").getBytes(StandardCharsets.UTF_8), Map.of(),
                eightDaysAgo);

        JsonNode result = onlyResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.get("error").get("code").asText()).isEqualTo("RECORD_EXPIRED");
        assertThat(result.get("error").get("message").asText()).contains("de-duplication window").contains("not sent");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).isEmpty();
    }

    @Test
    void afterALostAnswerABusyInstanceEndsUnknownWithoutAThirdPost() {
        String instanceId = instance();
        String path = restorePath(instanceId);
        // The first POST starts a job but its answer is lost (slower than the 2 s read timeout); the instance still
        // looks ACTIVE, so the service sends again and is told the instance is busy: with its own job, perhaps.
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(3000).withBody("{\"job_id\": \"job-lost\"}"))
                .willSetStateTo("busy"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("busy")
                .willReturn(aResponse().withStatus(409).withBody(
                        "{\"error_code\": \"DBS.200019\", \"error_msg\": \"Another operation is being performed on the DB instance.\"}"))
                .willSetStateTo("free"));
        cloud.stubFor(post(urlPathEqualTo(path)).inScenario(instanceId).whenScenarioStateIs("free")
                .willReturn(aResponse().withStatus(200).withBody("{\"job_id\": \"job-second\"}")));
        cloud.stubFor(get(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instanceId)).willReturn(aResponse()
                .withStatus(200).withBody("{\"instance\": {\"id\": \"" + instanceId + "\", \"status\": \"ACTIVE\"}}")));
        String requestId = "lost-then-busy-" + UUID.randomUUID();

        TestTopics.send(instanceId, request(requestId, instanceId, ""));

        JsonNode result = onlyResult(requestId);
        assertThat(result.get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(result.get("error").get("message").asText()).contains("busy").contains("not sent again");
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(path)))).hasSize(2);
    }

    @Test
    void aProbeSpentOnARejectedRecordDoesNotKeepTheCircuitShut() {
        for (int i = 0; i < 5; i++) {
            circuit.record(new ApiResult.NoResponse(ApiResult.NoResponse.Kind.CONNECT_FAILED, false, "test outage"));
        }
        assertThat(circuit.state()).isEqualTo(CircuitBreaker.State.OPEN);
        // Read at once from the registry: the circuit stays open for a second only, and a scrape of /q/metrics on a
        // loaded machine can come after a probe closed it again.
        assertThat(registry.get("gaussdb.restore.circuit.open").gauge().value()).isEqualTo(1.0);
        String invalidId = "probe-rejected-" + UUID.randomUUID();
        String instanceId = instance();
        stubAccepted(instanceId, "job-after-probe");
        String validId = "probe-valid-" + UUID.randomUUID();

        // After the 1 s pause the first record takes the probe; it makes no call, so the next one must probe.
        TestTopics.send("probe", "{\"request_id\": \"" + invalidId + "\"}");
        TestTopics.send("probe", request(validId, instanceId, ""));

        assertThat(onlyResult(invalidId).get("status").asText()).isEqualTo("REJECTED");
        assertThat(onlyResult(validId).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(circuit.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void errorCodesFromCloudBodiesCannotMintMetricSeries() {
        String instanceId = instance();
        String garbage = "DBS.200823 <html>" + UUID.randomUUID();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(400)
                .withBody("{\"error_code\": \"" + garbage + "\", \"error_msg\": \"refused\"}")));
        String requestId = "garbage-code-" + UUID.randomUUID();
        double others = Metrics.value("gaussdb_restore_api_calls_total", "error_code=\"other\"");

        TestTopics.send(instanceId, request(requestId, instanceId, ""));

        assertThat(onlyResult(requestId).get("status").asText()).isEqualTo("FAILED");
        assertThat(Metrics.value("gaussdb_restore_api_calls_total", "error_code=\"other\"")).isEqualTo(others + 1);
        String metrics = io.gaussrestore.testing.Api.management().get("/q/metrics").then().extract().asString();
        assertThat(metrics).doesNotContain(garbage);
    }

    @Test
    void postRestoresRefusesAMalformedRequestIdWithoutPublishing() {
        String body = request("x".repeat(300), instance(), "");
        io.gaussrestore.testing.Api.asBot().contentType("application/json").body(body).post("/restores").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("request_id must be 1 to 128 characters"));
        io.gaussrestore.testing.Api.asBot().contentType("application/json").body(request("bad id with spaces", instance(), "")).post("/restores")
                .then().statusCode(400);
    }
}
