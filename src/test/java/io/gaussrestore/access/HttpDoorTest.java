package io.gaussrestore.access;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The public door: who may call (API keys and bearer JWTs through Quarkus security), with which role, what the
 * body must look like, which headers the answers carry, and that health and metrics are only on the management
 * port. The cloud is WireMock; requests go through the real broker.
 */
@QuarkusTest
class HttpDoorTest {

    private static final String ISSUER = "https://idp.example.test";

    @InjectCloudApi
    WireMockServer cloud;

    @org.junit.jupiter.api.BeforeEach
    void readResults() {
        TestTopics.startReader();
    }

    private static String body(String requestId, String instanceId, String extra) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]%s}
                """.formatted(requestId, PROJECT, instanceId, extra);
    }

    private void cloudAccepts(String instanceId) {
        cloud.stubFor(post(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instanceId + "/backups/restore/tables"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"job_id\": \"" + UUID.randomUUID() + "\"}")));
    }

    private static PrivateKey signingKey() throws Exception {
        return KeyUtils.readPrivateKey("access/jwt-private.pem");
    }

    private static String jwt(String subject, List<String> roles, Instant expires, String issuer, PrivateKey key) {
        return Jwt.issuer(issuer).upn(subject).claim("realm_access", Map.of("roles", roles))
                .issuedAt(expires.minus(Duration.ofMinutes(10))).expiresAt(expires).sign(key);
    }

    private static Response postAs(String header, String value, String body) {
        return given().header(header, value).contentType("application/json").body(body).post("/restores");
    }

    @Test
    void withoutAValidCredentialEveryRestoreEndpointAnswers401() throws Exception {
        String body = body("unauth-" + UUID.randomUUID(), instance(), "");
        given().contentType("application/json").body(body).post("/restores").then().statusCode(401);
        given().get("/restores").then().statusCode(401);
        given().get("/restores/anything").then().statusCode(401);
        given().post("/restores/anything/cancel").then().statusCode(401);
        postAs("X-API-Key", "not-a-key-of-ours-but-long-enough-to-be-hashed", body).then().statusCode(401);
        postAs("X-API-Key", Api.BOT_KEY + "x", body).then().statusCode(401);

        Instant soon = Instant.now().plus(Duration.ofMinutes(5));
        PrivateKey stranger = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        List<String> roles = List.of(Roles.REQUESTER);
        postAs("Authorization", "Bearer " + jwt("mallory", roles, soon, ISSUER, stranger), body).then().statusCode(401);
        postAs("Authorization", "Bearer " + jwt("alice", roles, Instant.now().minus(Duration.ofMinutes(5)), ISSUER,
                signingKey()), body).then().statusCode(401);
        postAs("Authorization", "Bearer " + jwt("alice", roles, soon, "https://elsewhere.test", signingKey()), body)
                .then().statusCode(401);
        postAs("Authorization", "Bearer not.a.jwt", body).then().statusCode(401);
        assertThat(TestTopics.results("unauth")).isEmpty();
    }

    @Test
    void theWrongRoleAnswers403AndTheRightOne202() throws Exception {
        String instance = instance();
        cloudAccepts(instance);
        String viaViewer = "viewer-" + UUID.randomUUID();
        postAs("X-API-Key", Api.VIEWER_KEY, body(viaViewer, instance, "")).then().statusCode(403);
        given().header("X-API-Key", Api.REQUESTER_KEY).get("/restores").then().statusCode(403);
        given().header("X-API-Key", Api.VIEWER_KEY).post("/restores/x/cancel").then().statusCode(403);
        given().header("X-API-Key", Api.VIEWER_KEY).get("/restores?limit=1").then().statusCode(200);

        String viaKey = "key-" + UUID.randomUUID();
        postAs("X-API-Key", Api.REQUESTER_KEY, body(viaKey, instance, "")).then().statusCode(202)
                .body("request_id", equalTo(viaKey));
        String viaJwt = "jwt-" + UUID.randomUUID();
        String token = jwt("alice@example.test", List.of(Roles.REQUESTER, Roles.VIEWER),
                Instant.now().plus(Duration.ofMinutes(5)), ISSUER, signingKey());
        String other = instance();
        cloudAccepts(other);
        postAs("Authorization", "Bearer " + token, body(viaJwt, other, "")).then().statusCode(202);
        String readOnly = jwt("carol", List.of(Roles.VIEWER), Instant.now().plus(Duration.ofMinutes(5)), ISSUER,
                signingKey());
        postAs("Authorization", "Bearer " + readOnly, body("jwt-viewer-" + UUID.randomUUID(), other, ""))
                .then().statusCode(403);

        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.resultValues(viaJwt).isEmpty()
                && !TestTopics.resultValues(viaKey).isEmpty());
        JsonNode byJwt = TestTopics.resultValues(viaJwt).get(0);
        assertThat(byJwt.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(byJwt.get("requested_by").asText()).as("the identity comes from the token").isEqualTo("alice@example.test");
        assertThat(TestTopics.resultValues(viaKey).get(0).get("requested_by").asText()).isEqualTo("requester-only");
        given().header("Authorization", "Bearer " + token).get("/restores/" + viaJwt).then().statusCode(200)
                .body("requested_by", equalTo("alice@example.test"));
        assertThat(TestTopics.results(viaViewer)).isEmpty();
        cloud.verify(1, postRequestedFor(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instance
                + "/backups/restore/tables")));
    }

    @Test
    void aBodyThatNamesSomeoneElseAsRequesterIsRefused() {
        Api.asBot().contentType("application/json")
                .body(body("impostor-" + UUID.randomUUID(), instance(), ", \"requested_by\": \"the-ceo\""))
                .post("/restores").then().statusCode(400)
                .body("error", containsString("requested_by is the authenticated caller (test-bot)"));
        String same = "same-" + UUID.randomUUID();
        String instance = instance();
        cloudAccepts(instance);
        Api.asBot().contentType("application/json").body(body(same, instance, ", \"requested_by\": \"test-bot\""))
                .post("/restores").then().statusCode(202);
    }

    @Test
    void hostileBodiesGetAJsonErrorAndNoStackTrace() {
        Response tooLarge = Api.asBot().contentType("application/json")
                .body("{\"pad\": \"" + "x".repeat(70_000) + "\"}").post("/restores");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.jsonPath().getString("error")).contains("over the limit of 65536 bytes");
        Response wrongType = Api.asBot().contentType("text/plain").body("restore please").post("/restores");
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(wrongType.jsonPath().getString("error")).contains("application/json");
        Response xml = Api.asBot().contentType("application/xml").body("<restore/>").post("/restores");
        assertThat(xml.statusCode()).isEqualTo(415);
        Response malformed = Api.asBot().contentType("application/json").body("{\"project_id\": ").post("/restores");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("error")).contains("not valid JSON");
        for (Response response : List.of(tooLarge, wrongType, malformed)) {
            assertThat(response.contentType()).startsWith("application/json");
            assertThat(response.asString()).doesNotContain("Exception", "\tat ", "io.gaussrestore");
        }
    }

    @Test
    void answersCarryHardeningHeadersAndNoServerBanner() {
        Response answer = Api.asBot().get("/restores?limit=1");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        assertThat(answer.header("Server")).isNull();
        given().get("/restores").then().statusCode(401).header("X-Content-Type-Options", "nosniff")
                .header("Server", nullValue());
    }

    @Test
    void healthAndMetricsAreOnlyOnTheManagementPort() {
        given().get("/q/health").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
        Api.management().get("/q/health/ready").then().statusCode(200);
        Api.management().get("/q/health/live").then().statusCode(200);
        assertThat(Api.management().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("gaussdb_restore_requests_total");
        Api.management().get("/restores").then().statusCode(404);
    }
}
