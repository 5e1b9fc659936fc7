package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;

import io.gaussrestore.testing.Api;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.Metrics;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Duplicates through a real broker: the cloud sees each restore once, every duplicate is answered. */
@QuarkusTest
class DeduplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectCloudApi
    WireMockServer cloud;

    private String stubAccepted(String instanceId) {
        String jobId = UUID.randomUUID().toString();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(200)
                .withBody("{\"job_id\": \"" + jobId + "\"}")));
        return jobId;
    }

    private static String request(String requestId, String instanceId, String time, String tables) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %s,
                 "restore_tables": [%s]}
                """.formatted(requestId, PROJECT, instanceId, time, tables);
    }

    private static final String TABLES = """
            {"database": "db_a", "tables": [{"old_name": "t1", "new_name": "t1_r"}, {"old_name": "t2", "new_name": "t2_r"}]},
            {"database": "db_b", "tables": [{"old_name": "t9", "new_name": "t9_r"}]}""";
    private static final String TABLES_REORDERED = """
            {"database": "db_b", "tables": [{"new_name": "t9_r", "old_name": "t9"}]},
            {"database": "db_a", "tables": [{"old_name": "t2", "new_name": "t2_r"}, {"old_name": "t1", "new_name": "t1_r"}]}""";

    @Test
    void theSameRequestFiveTimesReachesTheCloudOnce() {
        String instanceId = instance();
        String jobId = stubAccepted(instanceId);
        String requestId = "five-" + UUID.randomUUID();
        double duplicates = Metrics.value("gaussdb_restore_requests_total", "outcome=\"duplicate\"");

        for (int i = 0; i < 5; i++) {
            TestTopics.send(instanceId, request(requestId, instanceId, "1690890940000", TABLES));
        }

        await().atMost(WAIT).until(() -> TestTopics.results(requestId).size() >= 5);
        List<JsonNode> results = TestTopics.resultValues(requestId);
        assertThat(results).extracting(r -> r.get("status").asText())
                .containsExactly("SUBMITTED", "DUPLICATE", "DUPLICATE", "DUPLICATE", "DUPLICATE");
        assertThat(results.subList(1, 5)).allSatisfy(r -> {
            assertThat(r.get("duplicate_of").asText()).isEqualTo(requestId);
            assertThat(r.get("job_id").asText()).isEqualTo(jobId);
            assertThat(r.get("original_status").asText()).isEqualTo("SUBMITTED");
        });
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).hasSize(1);
        assertThat(Metrics.value("gaussdb_restore_requests_total", "outcome=\"duplicate\"")).isEqualTo(duplicates + 4);
    }

    @Test
    void fiveRequestIdsForOneRestoreInAnySpellingReachTheCloudOnce() {
        String instanceId = instance();
        String jobId = stubAccepted(instanceId);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "spelling-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            String time = i % 2 == 0 ? "1690890940000" : "\"2023-08-01T11:55:40Z\"";
            // Different keys put the copies on different partitions.
            TestTopics.send("key-" + i, request(id, instanceId, time, i % 2 == 0 ? TABLES : TABLES_REORDERED));
        }

        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));
        List<JsonNode> first = ids.stream().map(id -> TestTopics.resultValues(id).get(0)).toList();
        assertThat(first).filteredOn(r -> r.get("status").asText().equals("SUBMITTED")).hasSize(1);
        JsonNode submitted = first.stream().filter(r -> r.get("status").asText().equals("SUBMITTED")).findFirst().orElseThrow();
        assertThat(first).filteredOn(r -> r.get("status").asText().equals("DUPLICATE")).hasSize(4).allSatisfy(r -> {
            assertThat(r.get("duplicate_of").asText()).isEqualTo(submitted.get("request_id").asText());
            assertThat(r.get("job_id").asText()).isEqualTo(jobId);
            assertThat(r.get("idempotency_key").asText()).isEqualTo(submitted.get("idempotency_key").asText());
        });
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId))))).hasSize(1);
        ids.forEach(id -> assertThat(TestTopics.results(id)).as("one result for " + id).hasSize(1));
    }

    @Test
    void aPermanentlyFailedRestoreMayBeRequestedAgain() {
        String instanceId = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(instanceId))).willReturn(aResponse().withStatus(400)
                .withBody("{\"error_code\": \"DBS.200823\", \"error_msg\": \"The database does not exist.\"}")));
        String failed = "failed-" + UUID.randomUUID();
        TestTopics.send(instanceId, request(failed, instanceId, "1690890940000", TABLES));
        await().atMost(WAIT).until(() -> !TestTopics.results(failed).isEmpty());

        String jobId = stubAccepted(instanceId);
        String retry = "retry-" + UUID.randomUUID();
        TestTopics.send(instanceId, request(retry, instanceId, "1690890940000", TABLES));
        await().atMost(WAIT).until(() -> !TestTopics.results(retry).isEmpty());

        assertThat(TestTopics.resultValues(failed).get(0).get("status").asText()).isEqualTo("FAILED");
        assertThat(TestTopics.resultValues(retry).get(0).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(TestTopics.resultValues(retry).get(0).get("job_id").asText()).isEqualTo(jobId);
    }

    @Test
    void theLedgerIsReadableOverHttp() {
        String instanceId = instance();
        String jobId = stubAccepted(instanceId);
        String first = "http-view-" + UUID.randomUUID();
        String second = "http-view-dup-" + UUID.randomUUID();
        TestTopics.send(instanceId, request(first, instanceId, "1690890940000", TABLES));
        TestTopics.send(instanceId, request(second, instanceId, "1690890940000", TABLES_REORDERED));
        await().atMost(WAIT).until(() -> !TestTopics.results(second).isEmpty());

        Api.asBot().get("/restores/" + first).then().statusCode(200)
                .body("status", equalTo("SUBMITTED")).body("job_id", equalTo(jobId))
                .body("instance_id", equalTo(instanceId)).body("attempts", equalTo(1));
        Api.asBot().get("/restores/" + second).then().statusCode(200)
                .body("status", equalTo("DUPLICATE")).body("duplicate_of", equalTo(first))
                .body("original_status", equalTo("SUBMITTED"));
        Api.asBot().get("/restores/no-such-request").then().statusCode(404).body("error", org.hamcrest.Matchers.containsString("no-such-request"));
        Api.asBot().queryParam("instance_id", instanceId).get("/restores").then().statusCode(200)
                .body("$", hasSize(2)).body("[0].request_id", equalTo(second)).body("[1].request_id", equalTo(first));
        Api.asBot().queryParam("instance_id", instanceId).queryParam("status", "submitted").get("/restores").then()
                .statusCode(200).body("$", hasSize(1)).body("[0].request_id", equalTo(first));
        Api.asBot().queryParam("status", "sleeping").get("/restores").then().statusCode(400);
        Api.asBot().queryParam("limit", 0).get("/restores").then().statusCode(400);
    }

    @Test
    void requestsPostedOverHttpFlowLikeAnyOther() {
        String instanceId = instance();
        String jobId = stubAccepted(instanceId);
        String requestId = "posted-" + UUID.randomUUID();

        Api.asBot().contentType("application/json").body(request(requestId, instanceId, "1690890940000", TABLES))
                .post("/restores").then().statusCode(202).body("request_id", equalTo(requestId))
                .header("Location", org.hamcrest.Matchers.endsWith("/restores/" + requestId));
        String withoutId = request("x", instanceId, "1690890940001", TABLES).replace("\"request_id\": \"x\",", "");
        String generated = Api.asBot().contentType("application/json").body(withoutId).post("/restores").then()
                .statusCode(202).extract().path("request_id");

        await().atMost(WAIT).until(() -> !TestTopics.results(requestId).isEmpty() && !TestTopics.results(generated).isEmpty());
        assertThat(TestTopics.resultValues(requestId).get(0).get("job_id").asText()).isEqualTo(jobId);
        assertThat(generated).startsWith("http-");
        assertThat(TestTopics.resultValues(generated).get(0).get("status").asText()).isEqualTo("SUBMITTED");
    }

    @Test
    void postingSomethingOtherThanAJsonObjectIsRefused() {
        Api.asBot().contentType("application/json").body("[1, 2]").post("/restores").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("JSON object"));
        Api.asBot().contentType("application/json").body("{\"restore\": please}").post("/restores").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("not valid JSON"));
        Api.asBot().contentType("application/json").body("").post("/restores").then().statusCode(400);
    }
}
