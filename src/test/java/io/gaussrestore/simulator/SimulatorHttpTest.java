package io.gaussrestore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator over HTTP, as the service, the local stack and the drills reach it. */
class SimulatorHttpTest {

    private static SimulatorServer server;

    @BeforeAll
    static void start() throws Exception {
        SimulatorOptions options = SimulatorOptions.from(name -> java.util.Optional.empty());
        server = SimulatorServer.start(SimulatorMain.create(options), options.settings(), 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RequestSpecification given() {
        return RestAssured.given().baseUri(server.baseUrl());
    }

    private static List<JournalEntry> journal() throws Exception {
        return List.of(SimulatorServer.JSON.readValue(given().get("/simulator/journal").asByteArray(), JournalEntry[].class));
    }

    private static final String PROJECT = "97b026aa9cc4417888c14c84a1ad9860";
    private static final String INSTANCE = "61a4ea66210545909d74a05c27a7179ein07";
    private static final String RESTORE = "/v3/" + PROJECT + "/instances/" + INSTANCE + "/backups/restore/tables";

    @BeforeEach
    @AfterEach
    void reset() {
        given().delete("/simulator").then().statusCode(204);
    }

    private static String body() {
        return """
                {"restore_time": "%d", "last_table_info": "false",
                 "restore_tables": [{"database": "db", "tables": [{"old_name": "t", "new_name": "t_r"}]}]}
                """.formatted(Instant.now().minus(Duration.ofHours(2)).toEpochMilli());
    }

    private static Response postRestore() {
        return given().header("X-Auth-Token", "local-dev-token").contentType("application/json;charset=UTF-8")
                .body(body()).post(RESTORE);
    }

    @Test
    void theRestoreCallAnswersLikeTheRealApi() {
        Response response = postRestore();
        response.then().statusCode(200).contentType(ContentType.JSON);
        assertThat(response.jsonPath().getString("job_id")).matches("[0-9a-f-]{36}");
        assertThat(response.header("X-Request-Id")).startsWith("sim-");

        given().contentType("application/json").body(body()).post(RESTORE).then().statusCode(401);
        given().header("X-Auth-Token", "local-dev-token").contentType("application/json").body("{}").post(RESTORE)
                .then().statusCode(400).body("error_code", org.hamcrest.Matchers.equalTo("DBS.200006"));
    }

    @Test
    void twoRestoresOnOneInstanceAtOnceGiveOneJobAndOne409() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                return postRestore();
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> call : calls) {
            statuses.add(call.get().statusCode());
        }
        pool.shutdown();

        assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        List<JournalEntry> journal = journal();
        assertThat(journal).hasSize(2);
        assertThat(journal).filteredOn(e -> e.status() == 409).singleElement()
                .satisfies(e -> assertThat(e.errorCode()).isEqualTo("DBS.200019"));
    }

    @Test
    void jobsInstancesAndRestoreTimesAreServed() {
        given().patch("/simulator").then().statusCode(405);
        given().contentType(ContentType.JSON).body("{\"job_visibility_delay\": \"PT0S\"}").patch("/simulator/settings")
                .then().statusCode(200).body("job_visibility_delay", org.hamcrest.Matchers.equalTo("PT0S"));
        String jobId = postRestore().jsonPath().getString("job_id");

        given().header("X-Auth-Token", "local-dev-token").queryParam("id", jobId).get("/v3/" + PROJECT + "/jobs")
                .then().statusCode(200)
                .body("job.id", org.hamcrest.Matchers.equalTo(jobId))
                .body("job.status", org.hamcrest.Matchers.oneOf("Pending", "Running"))
                .body("job.instance.id", org.hamcrest.Matchers.equalTo(INSTANCE));
        given().header("X-Auth-Token", "local-dev-token").queryParam("id", "nope").get("/v3/" + PROJECT + "/jobs")
                .then().statusCode(400).body("error_code", org.hamcrest.Matchers.equalTo("DBS.200543"));
        given().header("X-Auth-Token", "local-dev-token").get("/v3/" + PROJECT + "/instances/" + INSTANCE)
                .then().statusCode(200).body("instance.status", org.hamcrest.Matchers.equalTo("RESTORING"));
        given().header("X-Auth-Token", "local-dev-token").get("/v3/" + PROJECT + "/instances/" + INSTANCE + "/restore-time")
                .then().statusCode(200).body("restore_times.size()", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void iamIssuesTokensInTheSubjectTokenHeader() {
        Response issued = given().contentType(ContentType.JSON).body("""
                {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "svc", "password": "pw",
                 "domain": {"name": "acme"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}
                """).post("/v3/auth/tokens");
        issued.then().statusCode(201).body("token.expires_at", org.hamcrest.Matchers.notNullValue());
        String token = issued.header("X-Subject-Token");
        assertThat(token).isNotBlank();

        given().header("X-Auth-Token", token).get("/v3/" + PROJECT + "/instances/" + INSTANCE).then().statusCode(200);
        given().post("/simulator/tokens/revoke").then().statusCode(200).body("revoked", org.hamcrest.Matchers.equalTo(1));
        given().header("X-Auth-Token", token).get("/v3/" + PROJECT + "/instances/" + INSTANCE).then().statusCode(401);
    }

    @Test
    void faultsAreInjectedThroughTheAdminEndpoint() throws Exception {
        given().contentType(ContentType.JSON).body("{\"latency\": \"PT0.3S\", \"throttle_per_minute\": 2}")
                .patch("/simulator/settings").then().statusCode(200);
        long start = System.nanoTime();
        postRestore().then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        JournalEntry first = journal().get(0);
        assertThat(Duration.between(first.receivedAt(), first.respondedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(290));

        // The restore POST above counted for its own API only: the instance look has its two calls.
        given().header("X-Auth-Token", "local-dev-token").get("/v3/" + PROJECT + "/instances/" + INSTANCE).then().statusCode(200);
        given().header("X-Auth-Token", "local-dev-token").get("/v3/" + PROJECT + "/instances/" + INSTANCE).then().statusCode(200);
        given().header("X-Auth-Token", "local-dev-token").get("/v3/" + PROJECT + "/instances/" + INSTANCE).then().statusCode(429)
                .body("error_code", org.hamcrest.Matchers.equalTo("APIGW.0308"))
                .body("error_msg", org.hamcrest.Matchers.containsString("limit:2,time:1 minute"));

        given().contentType(ContentType.JSON).body("{\"latency\": \"PT0S\", \"throttle_per_minute\": 0}")
                .patch("/simulator/settings").then().statusCode(200);
        given().queryParam("seconds", 30).post("/simulator/outage").then().statusCode(200);
        postRestore().then().statusCode(503);
        given().queryParam("seconds", 0).post("/simulator/outage").then().statusCode(400);
    }
}
