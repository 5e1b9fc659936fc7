package io.gaussrestore.console;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.JudgementCounts;
import io.gaussrestore.testing.Policies;
import io.gaussrestore.testing.PolicyProfile;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request is decoded, validated and put through the acceptance step (policy and hourly limit) exactly once per
 * pass, whichever door it came through. A Kafka record has one pass: when it is read. A request through the HTTP
 * API or the console has two: the door judges it once to answer its caller (400, 403 or 202), then writes a record
 * that is judged once when it is read, by whichever replica reads it, under the rules in force then. The console's
 * form checks and the door share one judgement; the dispatcher's verdict is the pipeline's. A refusal at the door
 * travels with the record and is not judged again. (The policy profile: its jobs are not followed, so none of these
 * ends while another class counts completions.)
 */
@QuarkusTest
@TestProfile(PolicyProfile.class)
class OneJudgementPerPassTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeEach
    void readResults() {
        TestTopics.startReader();
    }

    private static String body(String requestId, String instanceId, String restoreTime) {
        return body(requestId, PROJECT, instanceId, restoreTime);
    }

    private static String body(String requestId, String project, String instanceId, String restoreTime) {
        return """
                {%s"project_id": "%s", "instance_id": "%s", "restore_time": %s,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]}
                """.formatted(requestId == null ? "" : "\"request_id\": \"" + requestId + "\", ", project, instanceId,
                restoreTime);
    }

    private static void awaitStatus(String requestId, String status) {
        await().atMost(WAIT).until(() -> TestTopics.resultValues(requestId).stream()
                .anyMatch(r -> r.path("status").asText().equals(status)));
    }

    @Test
    void aKafkaRecordIsDecodedValidatedAndAcceptedOnceWhenRead() {
        String instance = instance();
        String id = "judged-once-kafka-" + UUID.randomUUID();
        TestTopics.send(instance, body(id, instance, String.valueOf(Instant.now().minus(Duration.ofHours(1)).toEpochMilli())));
        awaitStatus(id, "SUBMITTED");

        assertThat(JudgementCounts.of(instance)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "topic decode", 1, "topic validate", 1, "topic accept", 1));
    }

    @Test
    void aRuleBreakingKafkaRecordIsDecodedAndValidatedOnceAndNeverAccepted() {
        String instance = instance();
        String id = "judged-once-invalid-" + UUID.randomUUID();
        TestTopics.send(instance, body(id, instance, "\"yesterday\""));
        awaitStatus(id, "REJECTED");

        assertThat(JudgementCounts.of(instance)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "topic decode", 1, "topic validate", 1));
    }

    @Test
    void anHttpRequestIsJudgedOnceAtTheDoorAndOnceWhenItsRecordIsRead() {
        String instance = instance();
        String id = "judged-once-http-" + UUID.randomUUID();
        Api.asBot().contentType("application/json")
                .body(body(id, instance, String.valueOf(Instant.now().minus(Duration.ofHours(1)).toEpochMilli())))
                .post("/restores").then().statusCode(202);
        awaitStatus(id, "SUBMITTED");

        assertThat(JudgementCounts.of(instance)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "door decode", 1, "door validate", 1, "door accept", 1,
                "topic decode", 1, "topic validate", 1, "topic accept", 1));
    }

    @Test
    void anHttpRequestRefusedAtTheDoorIsNotJudgedAgainWhenItsRecordIsRead() {
        String instance = instance();
        String id = "judged-once-refused-" + UUID.randomUUID();
        // Only the caller requester-only or the role dba may restore in this project: test-bot is neither.
        Api.asBot().contentType("application/json")
                .body(body(id, Policies.CALLERS_PROJECT, instance,
                        String.valueOf(Instant.now().minus(Duration.ofHours(1)).toEpochMilli())))
                .post("/restores").then().statusCode(403);
        awaitStatus(id, "REJECTED");

        assertThat(JudgementCounts.of(instance)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "door decode", 1, "door validate", 1, "door accept", 1,
                "topic decode", 1, "topic validate", 1));
    }

    @Test
    void aConsoleRequestIsJudgedOnceByItsFormChecksAndOnceWhenItsRecordIsRead() {
        String instance = instance();
        String id = "judged-once-console-" + UUID.randomUUID();
        ConsoleTest.Browser browser = ConsoleTest.signIn(Api.BOT_KEY);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("action", "submit");
        form.put("request_id", id);
        form.put("project_id", PROJECT);
        form.put("instance_id", instance);
        form.put("restore_time", Instant.now().minus(Duration.ofHours(1)).toString());
        form.put("last_table_info", "true");
        form.put("restore_tables", "shop orders orders_b");
        form.put("reason", "rows deleted by a bad migration");
        assertThat(browser.post("/console/new", form, true).statusCode()).isEqualTo(303);
        awaitStatus(id, "SUBMITTED");

        // The form's fields are read as fields, not decoded from bytes: the door's pass has no decode.
        assertThat(JudgementCounts.of(instance)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "door validate", 1, "door accept", 1,
                "topic decode", 1, "topic validate", 1, "topic accept", 1));
    }
}
