package io.gaussrestore.submission;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.queue.InstanceQueueTest;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * POSTs whose answers never come while the instance stays ACTIVE (no job started) are sent again only within the
 * retry deadline (5 s in this profile); then the request ends UNKNOWN instead of being sent about every few
 * seconds for ever.
 */
@QuarkusTest
@TestProfile(InstanceQueueTest.QueueProfile.class)
class UnansweredPostDeadlineTest {

    @Inject
    GaussDbSimulator simulator;

    @AfterEach
    void answersAgain() {
        simulator.loseAnswers(0, 0, Duration.ZERO);
    }

    @Test
    void unansweredPostsToAnActiveInstanceStopAtTheRetryDeadline() {
        // Every answer is held past the 2 s read timeout, and no job starts: the instance shows ACTIVE.
        simulator.loseAnswers(1.0, 0, Duration.ofSeconds(3));
        String instance = instance();
        String requestId = "unanswered-" + UUID.randomUUID();
        Instant sent = Instant.now();
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, PROJECT, instance, sent.minus(Duration.ofHours(1)).toEpochMilli()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.results(requestId).isEmpty());
        JsonNode result = TestTopics.resultValues(requestId).get(0);
        assertThat(result.get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(result.at("/error/message").asText()).contains("retry deadline passed").contains("not sent again");
        long posts = simulator.journal().stream()
                .filter(e -> e.operation().equals("restore") && instance.equals(e.instanceId())).count();
        // 5 s of deadline, 2 s per unanswered POST plus a look at the instance after a 0.5 s grace.
        assertThat(posts).isBetween(1L, 3L);
        assertThat(result.get("attempts").asInt()).isEqualTo((int) posts);
    }
}
