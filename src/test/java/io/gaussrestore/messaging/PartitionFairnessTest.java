package io.gaussrestore.messaging;

import static io.gaussrestore.testing.Requests.PROJECT;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A backlog on one partition (a bot's storm on one instance) does not hold up a request on another partition:
 * the service reads small fetches and polls, so what it reads interleaves the partitions, and the request
 * waits for a couple of hundred of the backlog's records, not for a megabyte of them.
 */
@QuarkusTest
@Tag("drill")
class PartitionFairnessTest {

    private static final int BACKLOG = 6_000;

    @InjectCloudApi
    WireMockServer cloud;

    @Test
    void aRequestOnAnotherPartitionIsNotQueuedBehindABacklog() {
        String prefix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String storm = prefix + "0".repeat(24) + "in07";
        String other = prefix + "1".repeat(24) + "in07";
        cloud.stubFor(post(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + other + "/backups/restore/tables"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"job_id\": \"job-" + prefix + "\"}")));
        List<ProducerRecord<byte[], byte[]>> backlog = new ArrayList<>();
        List<String> stormIds = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            String id = "fair-" + prefix + "-" + i;
            stormIds.add(id);
            backlog.add(new ProducerRecord<>(KafkaBroker.REQUESTS, 0, bytes(storm), bytes(body(id, storm, "t#" + i))));
        }
        TestTopics.sendAll(backlog);
        String request = "fair-" + prefix + "-other";
        TestTopics.sendAll(List.of(new ProducerRecord<>(KafkaBroker.REQUESTS, 1, bytes(other),
                bytes(body(request, other, "orders")))));

        await().atMost(Duration.ofSeconds(60)).until(() -> !TestTopics.results(request).isEmpty()
                && stormIds.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));
        assertThat(TestTopics.resultValues(request).get(0).get("status").asText()).isEqualTo("SUBMITTED");
        long answeredAt = TestTopics.results(request).get(0).timestamp();
        long before = stormIds.stream().map(TestTopics::results).map(results -> results.get(0))
                .mapToLong(ConsumerRecord::timestamp).filter(at -> at < answeredAt).count();
        // With 1 MiB fetches and polls of 500, about 2,500 of the backlog went first; with the service's settings
        // about 650 (a fetch, the source's queue, the records in flight, and those answered while the request is
        // sent). The bound leaves room for a slow machine on either side.
        assertThat(before).as("backlog records answered before the request on the other partition")
                .isLessThan(1_500);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(String id, String instance, String table) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "db", "tables": [{"old_name": "%s", "new_name": "t_back"}]}]}
                """.formatted(id, PROJECT, instance, table);
    }
}
