package io.gaussrestore.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.Policies;
import io.gaussrestore.testing.PolicyProfile;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The restore policy on both doors, its reload, dry runs and the restorable windows, against the simulator (its
 * journal tells what reached the cloud) and a real broker.
 */
@QuarkusTest
@TestProfile(PolicyProfile.class)
class RestorePolicyTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    GaussDbSimulator simulator;

    @AfterEach
    void standardPolicy() {
        Policies.write(PolicyProfile.POLICY_FILE, Policies.STANDARD);
        await().atMost(WAIT).until(() -> Api.management().get("/q/health/ready").statusCode() == 200);
    }

    @org.junit.jupiter.api.BeforeEach
    void readResults() {
        TestTopics.startReader();
    }

    private static String instance(String prefix) {
        return (prefix + UUID.randomUUID().toString().replace("-", "")).substring(0, 32) + "in07";
    }

    private static String body(String requestId, String project, String instance, int tables, Instant restoreTime,
            String extra) {
        String list = IntStream.range(0, tables)
                .mapToObj(i -> "{\"old_name\": \"t" + i + "\", \"new_name\": \"t" + i + "_back\"}")
                .collect(Collectors.joining(", "));
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [%s]}]%s}
                """.formatted(requestId, project, instance, restoreTime.toEpochMilli(), list, extra);
    }

    private static String send(String project, String instance, int tables) {
        return send(project, instance, tables, Instant.now().minus(Duration.ofHours(1)), "");
    }

    private static String send(String project, String instance, int tables, Instant restoreTime, String extra) {
        String requestId = "policy-" + UUID.randomUUID();
        TestTopics.send(instance, body(requestId, project, instance, tables, restoreTime, extra));
        return requestId;
    }

    private static JsonNode first(String requestId) {
        await().atMost(WAIT).until(() -> !TestTopics.resultValues(requestId).isEmpty());
        return TestTopics.resultValues(requestId).get(0);
    }

    private long posts(String instance) {
        return simulator.journal().stream()
                .filter(e -> e.operation().equals("restore") && instance.equals(e.instanceId()))
                .count();
    }

    private static void assertDenied(JsonNode result, String rule) {
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
        assertThat(result.at("/error/code").asText()).isEqualTo("POLICY_DENIED");
        assertThat(result.at("/error/message").asText()).contains(rule).contains("nothing was sent to the cloud");
        assertThat(result.at("/error/retryable").asBoolean()).isFalse();
    }

    @Test
    void theKafkaDoorIsHeldToThePolicyAndADeniedRequestReachesNoCloud() {
        String unlisted = instance("0a");
        String otherInstance = instance("ff");
        String tooMany = instance("0a");
        String allowed = instance("0a");
        String unlistedId = send("00000000000000000000000000000000", unlisted, 1);
        String instanceId = send(Policies.TIGHT_PROJECT, otherInstance, 1);
        String tablesId = send(Policies.TIGHT_PROJECT, tooMany, 3);
        String allowedId = send(Policies.TIGHT_PROJECT, allowed, 2);

        assertDenied(first(unlistedId), "lists no rule for project 00000000000000000000000000000000");
        assertDenied(first(instanceId), "is not among the instances");
        assertDenied(first(tablesId), "names 3 tables; the policy allows at most 2");
        assertThat(first(allowedId).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(posts(unlisted) + posts(otherInstance) + posts(tooMany)).isZero();
        assertThat(posts(allowed)).isEqualTo(1);
    }

    @Test
    void theHourlyLimitOfAnInstanceCountsTheRestoresAcceptedBeforeIt() {
        String target = instance("0a");
        String firstId = send(Policies.TIGHT_PROJECT, target, 1);
        assertThat(first(firstId).get("status").asText()).isEqualTo("SUBMITTED");
        String secondId = send(Policies.TIGHT_PROJECT, target, 2);

        assertDenied(first(secondId), "max_restores_per_instance_per_hour");
        assertThat(first(secondId).at("/error/message").asText()).contains("already had 1 restore(s) accepted");
        assertThat(posts(target)).isEqualTo(1);
    }

    @Test
    void theHttpDoorChecksTheCallerAndTheResultNamesTheAuthenticatedCaller() {
        String target = instance("ab");
        String denied = "http-denied-" + UUID.randomUUID();
        Api.asBot().contentType("application/json")
                .body(body(denied, Policies.CALLERS_PROJECT, target, 1, Instant.now().minus(Duration.ofHours(1)), ""))
                .post("/restores").then().statusCode(403)
                .body("code", org.hamcrest.Matchers.equalTo("POLICY_DENIED"))
                .body("error", org.hamcrest.Matchers.containsString("caller test-bot is not allowed"));
        JsonNode refused = first(denied);
        assertDenied(refused, "caller test-bot is not allowed to restore project " + Policies.CALLERS_PROJECT);
        assertThat(refused.get("requested_by").asText()).isEqualTo("test-bot");

        String allowed = "http-allowed-" + UUID.randomUUID();
        io.restassured.RestAssured.given().header("X-API-Key", Api.REQUESTER_KEY).contentType("application/json")
                .body(body(allowed, Policies.CALLERS_PROJECT, target, 1, Instant.now().minus(Duration.ofHours(1)),
                        ", \"reason\": \"INC-42 on behalf of the shop team\""))
                .post("/restores").then().statusCode(202);
        JsonNode submitted = first(allowed);
        assertThat(submitted.get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(submitted.get("requested_by").asText()).isEqualTo("requester-only");
        assertThat(posts(target)).isEqualTo(1);
    }

    @Test
    void theCallerRuleHoldsWhereverTheRecordOfTheHttpDoorIsJudged() throws Exception {
        // A record of the HTTP door that the door could not judge (its body was not valid yet when it was written):
        // the pipeline applies the caller rule with the caller and roles the record carries.
        String target = instance("cd");
        String unjudged = "http-unjudged-" + UUID.randomUUID();
        TestTopics.send(target, body(unjudged, Policies.CALLERS_PROJECT, target, 1,
                        Instant.now().minus(Duration.ofHours(1)), ", \"requested_by\": \"test-bot\"")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.util.Map.of(io.gaussrestore.request.RequestHeaders.HTTP_CALLER, "test-bot",
                        io.gaussrestore.request.RequestHeaders.HTTP_CALLER_ROLES, Roles.REQUESTER));
        assertDenied(first(unjudged), "caller test-bot is not allowed to restore project " + Policies.CALLERS_PROJECT);
        assertThat(posts(target)).isZero();

        // A caller allowed by a role: the role travels with the record, so the pipeline allows it too.
        String byRole = "http-by-role-" + UUID.randomUUID();
        String token = io.smallrye.jwt.build.Jwt.issuer("https://idp.example.test").upn("carol")
                .claim("realm_access", java.util.Map.of("roles", java.util.List.of(Roles.REQUESTER, "dba")))
                .expiresAt(Instant.now().plus(Duration.ofMinutes(5)))
                .sign(io.smallrye.jwt.util.KeyUtils.readPrivateKey("access/jwt-private.pem"));
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body(byRole, Policies.CALLERS_PROJECT, target, 1, Instant.now().minus(Duration.ofHours(1)), ""))
                .post("/restores").then().statusCode(202);
        JsonNode submitted = first(byRole);
        assertThat(submitted.get("status").asText()).as(submitted.toString()).isEqualTo("SUBMITTED");
        assertThat(submitted.get("requested_by").asText()).isEqualTo("carol");
    }

    @Test
    void aChangedPolicyTakesEffectAndABrokenOneKeepsTheLastGoodAndTurnsReadinessDown() {
        String newProject = "abcdef0123456789abcdef0123456789";
        String before = send(newProject, instance("aa"), 1);
        assertDenied(first(before), "lists no rule for project " + newProject);

        Policies.write(PolicyProfile.POLICY_FILE, Policies.STANDARD + """
                  %s:
                    instances: ["*"]
                """.formatted(newProject));
        await().atMost(WAIT).untilAsserted(() -> {
            String probe = send(newProject, instance("aa"), 1);
            assertThat(first(probe).get("status").asText()).isEqualTo("SUBMITTED");
        });

        Policies.write(PolicyProfile.POLICY_FILE, "projects:\n  - this is: [not a mapping\n");
        await().atMost(WAIT).untilAsserted(() -> Api.management().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'access-files' }.data.policy",
                        org.hamcrest.Matchers.containsString("last good version is in force")));
        String during = send(newProject, instance("aa"), 1);
        assertThat(first(during).get("status").asText()).as("the last good policy stays in force").isEqualTo("SUBMITTED");
    }

    @Test
    void aDryRunAnswersWhatWouldHappenAndSendsNothing() {
        String free = instance("0a");
        String wouldSubmit = send(Policies.OPEN_PROJECT, free, 1, Instant.now().minus(Duration.ofHours(1)),
                ", \"dry_run\": true");
        JsonNode answer = first(wouldSubmit);
        assertThat(answer.get("status").asText()).isEqualTo("DRY_RUN");
        assertThat(answer.at("/dry_run/outcome").asText()).isEqualTo("WOULD_SUBMIT");
        assertThat(answer.at("/dry_run/restore_time_in_window").asBoolean()).isTrue();
        assertThat(answer.at("/dry_run/restore_windows")).hasSize(1);
        assertThat(answer.at("/dry_run/checks").toString()).contains("validation: passed", "duplicate: no request");

        String outside = send(Policies.OPEN_PROJECT, free, 1, Instant.now().minus(Duration.ofDays(8)),
                ", \"dry_run\": true");
        assertThat(first(outside).at("/dry_run/outcome").asText()).isEqualTo("WOULD_FAIL");
        assertThat(first(outside).at("/dry_run/restore_time_in_window").asBoolean()).isFalse();

        String denied = send(Policies.TIGHT_PROJECT, "ff" + free.substring(2), 1, Instant.now().minus(Duration.ofHours(1)),
                ", \"dry_run\": true");
        assertDenied(first(denied), "is not among the instances");
        assertThat(posts(free)).as("a dry run POSTs nothing").isZero();

        Instant time = Instant.now().minus(Duration.ofHours(2));
        String real = send(Policies.OPEN_PROJECT, free, 1, time, "");
        assertThat(first(real).get("status").asText()).isEqualTo("SUBMITTED");
        String twin = send(Policies.OPEN_PROJECT, free, 1, time, ", \"dry_run\": true");
        assertThat(first(twin).at("/dry_run/outcome").asText()).isEqualTo("WOULD_BE_DUPLICATE");
        assertThat(first(twin).at("/dry_run/duplicate_of").asText()).isEqualTo(real);
        assertThat(posts(free)).isEqualTo(1);
        Api.asBot().get("/restores/" + twin).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("DRY_RUN"))
                .body("dry_run.outcome", org.hamcrest.Matchers.equalTo("WOULD_BE_DUPLICATE"));
    }

    @Test
    void aRestoreTimeOutsideTheWindowFailsWithTheWindowsInItsMessage() {
        String target = instance("0b");
        Instant tooOld = Instant.now().minus(Duration.ofDays(8));
        String requestId = send(Policies.OPEN_PROJECT, target, 1, tooOld, "");
        JsonNode failed = first(requestId);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.at("/error/code").asText()).isEqualTo("DBS.201203");
        assertThat(failed.at("/error/message").asText())
                .contains("restore_time " + Instant.ofEpochMilli(tooOld.toEpochMilli()))
                .contains("the instance's restorable windows (UTC): ");
        List<String> operations = simulator.journal().stream().filter(e -> target.equals(e.instanceId()))
                .map(e -> e.operation()).toList();
        assertThat(operations).containsExactly("restore", "restore_time");
    }
}
