package io.gaussrestore.messaging;

import static io.gaussrestore.testing.Requests.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Records of hostile shape, each under the 1 MiB limit, sent to the production jar running with the production
 * JVM options (a 128 MB heap under a 512 MB limit, exiting on OutOfMemoryError): the service stays up and answers
 * each one exactly once, REJECTED or dead-lettered, then still submits a valid request.
 */
class HostileRecordsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PRODUCTION_JVM = List.of("@docker/jvm.options", "-XX:MaxRAM=512m");

    @Test
    void hostileRecordsAreEachAnsweredOnceAndTheServiceStaysUp() throws Exception {
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Path ledger = Files.createDirectories(Path.of("target", "hostile-records")).toAbsolutePath()
                .resolve("ledger-" + UUID.randomUUID());
        String run = UUID.randomUUID().toString().substring(0, 6);
        try (SimulatorProcess simulator = SimulatorProcess.start("hostile-simulator-" + run, Duration.ofSeconds(2));
                RecordCollector topics = new RecordCollector(bootstrap, "hostile", 3)) {
            Map<String, String> env = new HashMap<>(topics.environment());
            env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            env.put("RESTORE_CONSUMER_GROUP", "group-" + topics.requests);
            env.put("GAUSSDB_ENDPOINT", simulator.baseUrl());
            env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
            env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:file:" + ledger + ";DB_CLOSE_ON_EXIT=FALSE");
            try (ServiceProcess service = ServiceProcess.start("hostile-" + run, env, PRODUCTION_JVM)) {
                // request_id -> what it must end as; null: no usable request_id (counted instead).
                Map<String, String> expected = new LinkedHashMap<>();
                int unnamed = 0;
                int deadLetters = 0;
                String instance = "61a4ea66210545909d74a05c27a7179ein07";
                for (int i = 0; i < 12; i++) {
                    String id = "hostile-" + run + "-empty-" + i;
                    topics.send(instance, emptyObjects(id, 329_940));
                    expected.put(id, "REJECTED");
                }
                String keys = "hostile-" + run + "-keys";
                topics.send(instance, manyKeys(keys, 100_000));
                expected.put(keys, "REJECTED");
                String nestedKeys = "hostile-" + run + "-nested-keys";
                topics.send(instance, "{\"request_id\":\"" + nestedKeys + "\",\"project_id\":\"" + PROJECT
                        + "\",\"restore_tables\":[{\"database\":\"d\",\"tables\":" + manyKeys(null, 60_000) + "}]}");
                expected.put(nestedKeys, "REJECTED");
                topics.send(instance, "{\"request_id\":\"hostile-deep\",\"x\":" + "[".repeat(200_000)
                        + "]".repeat(200_000) + "}");
                deadLetters++;
                topics.send(instance, "{\"request_id\":\"hostile-deep-object\",\"x\":" + "{\"a\":".repeat(100_000)
                        + "1" + "}".repeat(100_000) + "}");
                deadLetters++;
                topics.send(instance, longStrings(130_000));
                unnamed++;
                String longNumber = "hostile-" + run + "-long-number";
                topics.send(instance, "{\"request_id\":\"" + longNumber + "\",\"restore_time\":" + "9".repeat(900_000)
                        + "}");
                deadLetters++;
                String bigNumbers = "hostile-" + run + "-big-numbers";
                topics.send(instance, "{\"request_id\":\"" + bigNumbers + "\",\"project_id\":\"" + PROJECT
                        + "\",\"instance_id\":\"" + instance + "\",\"restore_time\":" + "9".repeat(99)
                        + ",\"last_table_info\":1e999999999,\"restore_tables\":[{\"database\":\"d\",\"tables\":"
                        + "[{\"old_name\":\"t\",\"new_name\":\"u\"}]}],\"dry_run\":-1.5e-999999}");
                expected.put(bigNumbers, "REJECTED");
                String valid = "hostile-" + run + "-valid";
                topics.send(instance, """
                        {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                         "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                        """.formatted(valid, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli()));
                expected.put(valid, "SUBMITTED");
                topics.flush();
                int records = expected.size() + unnamed + deadLetters;

                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                        !service.alive() || firstResults(topics).size() + topics.deadLetterRecords().size() >= records);
                assertThat(service.alive()).as("the service is still running; its log: " + service.logPath()).isTrue();
                Thread.sleep(2000); // room for a wrongly repeated answer to show up
                Map<String, List<String>> statuses = firstResults(topics);
                assertThat(statuses).as("answers by request_id").hasSize(expected.size() + unnamed);
                expected.forEach((id, status) -> assertThat(statuses.get(id)).as(id).containsExactly(status));
                assertThat(statuses.entrySet().stream().filter(e -> e.getKey().startsWith("sha256:")))
                        .as("the record of long strings, under the hash of its bytes")
                        .singleElement().satisfies(e -> assertThat(e.getValue()).containsExactly("REJECTED"));
                assertThat(topics.deadLetterRecords()).hasSize(deadLetters);
                JsonNode empty = result(topics, "hostile-" + run + "-empty-0");
                assertThat(empty.at("/error/details/0/field").asText()).isEqualTo("$");
                assertThat(empty.at("/error/details/0/message").asText()).contains("more than 50000 JSON values");
                assertThat(service.readiness()).isEqualTo(200);
            }
        }
    }

    /** The first status of every request answered (results that are not later results of a job). */
    private static Map<String, List<String>> firstResults(RecordCollector topics) {
        return topics.results().stream()
                .collect(Collectors.groupingBy(RecordCollector::key, LinkedHashMap::new, Collectors.mapping(
                        r -> json(r).get("status").asText(), Collectors.toList())))
                .entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stream()
                        .filter(s -> !s.equals("RUNNING") && !s.equals("COMPLETED")).toList()));
    }

    private static JsonNode result(RecordCollector topics, String id) {
        return topics.results().stream().filter(r -> RecordCollector.key(r).equals(id)).map(HostileRecordsIT::json)
                .findFirst().orElseThrow();
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record that crash-looped every replica: about 990,000 bytes of empty objects. */
    static String emptyObjects(String requestId, int count) {
        StringBuilder text = new StringBuilder("{\"request_id\":\"").append(requestId).append("\",\"restore_tables\":[");
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "{}" : ",{}");
        }
        return text.append("]}").toString();
    }

    /** An object of {@code count} keys; with a request_id, the record itself. */
    static String manyKeys(String requestId, int count) {
        StringBuilder text = new StringBuilder("{");
        if (requestId != null) {
            text.append("\"request_id\":\"").append(requestId).append("\",");
        }
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":0");
        }
        return text.append('}').toString();
    }

    /** Every field of a request a string of {@code length} characters. */
    static String longStrings(int length) {
        String x = "x".repeat(length / 2);
        return "{\"request_id\":\"" + x + "\",\"project_id\":\"" + x + "\",\"instance_id\":\"" + x
                + "\",\"restore_time\":\"" + x + "\",\"last_table_info\":\"" + x + "\",\"restore_tables\":[{"
                + "\"database\":\"" + x + "\",\"tables\":[{\"old_name\":\"" + x + "\",\"new_name\":\"" + x + "\"}]}],"
                + "\"requested_by\":\"" + x + "\",\"reason\":\"" + x + "\",\"ticket\":\"" + x + "\",\"dry_run\":\""
                + x + "\"}";
    }
}
