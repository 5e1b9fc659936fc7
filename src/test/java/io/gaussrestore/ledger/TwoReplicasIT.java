package io.gaussrestore.ledger;

import static io.gaussrestore.testing.Requests.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two service processes in one consumer group on one PostgreSQL ledger, with every restore requested twice at
 * the same moment on different partitions: each restore reaches the cloud once.
 */
class TwoReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RESTORES = 60;

    @Test
    void duplicatesOnDifferentPartitionsAreSubmittedOnce() throws Exception {
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Postgres.Schema schema = Postgres.newSchema();
        try (CloudJournal cloud = new CloudJournal(20);
                RecordCollector topics = new RecordCollector(bootstrap, "replicas", 4)) {
            Map<String, String> env = ReplicaEnvironment.of(bootstrap, topics, cloud, schema, "replicas");

            try (ServiceProcess a = ServiceProcess.start("replica-a", env);
                    ServiceProcess b = ServiceProcess.start("replica-b", env)) {
                // Let the group settle on both members before the burst.
                Thread.sleep(4000);
                long base = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < RESTORES; i++) {
                    String instance = "%032din07".formatted(i);
                    for (String copy : List.of("a", "b")) {
                        String id = "replica-" + i + "-" + copy;
                        ids.add(id);
                        // Keys chosen so that the two copies usually land on different partitions.
                        topics.send(copy + "-" + i, """
                                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "t", "new_name": "t_back"}]}]}
                                """.formatted(id, PROJECT, instance, base - i));
                    }
                }
                topics.flush();

                await().atMost(Duration.ofMinutes(2)).until(() ->
                        topics.results().stream().map(RecordCollector::key).collect(Collectors.toSet()).containsAll(ids));

                Map<String, List<String>> statusesByRestore = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : topics.results()) {
                    JsonNode result = JSON.readTree(record.value());
                    String restore = result.get("request_id").asText().replaceAll("-[ab]$", "");
                    statusesByRestore.computeIfAbsent(restore, k -> new ArrayList<>()).add(result.get("status").asText());
                }
                Map<String, Integer> posts = cloud.postsByRestore();
                int handledByA = count(a.log(), "pipeline.FirstResults");
                int handledByB = count(b.log(), "pipeline.FirstResults");
                System.out.printf("two replicas: %d restores requested twice; cloud POSTs %d; log lines with results: a=%d b=%d%n",
                        RESTORES, cloud.posts().size(), handledByA, handledByB);

                assertThat(posts).hasSize(RESTORES);
                assertThat(posts.values()).allMatch(count -> count == 1);
                assertThat(statusesByRestore).hasSize(RESTORES).allSatisfy((restore, statuses) ->
                        assertThat(statuses).containsExactlyInAnyOrder("SUBMITTED", "DUPLICATE"));
                assertThat(handledByA).as("replica a took part").isPositive();
                assertThat(handledByB).as("replica b took part").isPositive();
            }
        } finally {
            schema.drop();
        }
    }

    private static int count(String log, String marker) {
        return (int) log.lines().filter(line -> line.contains(marker)).count();
    }
}
