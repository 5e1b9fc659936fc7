package io.gaussrestore.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A service process killed with SIGKILL in the middle of 500 requests (20% duplicates), then restarted on the
 * same PostgreSQL ledger: every request gets exactly one first result and no restore reaches the cloud twice.
 */
class CrashRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "97b026aa9cc4417888c14c84a1ad9860";
    private static final int UNIQUE = 400;
    private static final int DUPLICATES = 100;
    private static final int MAX_IN_FLIGHT = 16;

    @Test
    void aKilledServiceLosesNothingAndSubmitsNothingTwice() throws Exception {
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Postgres.Schema schema = Postgres.newSchema();
        try (CloudJournal cloud = new CloudJournal(40);
                RecordCollector topics = new RecordCollector(bootstrap, "crash", 3)) {
            Map<String, String> env = ReplicaEnvironment.of(bootstrap, topics, cloud, schema, "crash");
            env.put("RESTORE_LEDGER_LEASE", "PT5S");
            env.put("RESTORE_MAX_IN_FLIGHT", Integer.toString(MAX_IN_FLIGHT));

            List<String> requestIds = sendRequests(topics);
            ServiceProcess first = ServiceProcess.start("crash-first", env);
            await().atMost(Duration.ofMinutes(2)).until(() -> topics.results().size() >= 150);
            int before = topics.results().size();
            first.kill();
            System.out.printf("killed the service (pid %d) with SIGKILL after %d results%n", first.pid(), before);

            long restart = System.nanoTime();
            try (ServiceProcess second = ServiceProcess.start("crash-second", env)) {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                        firstResults(topics).keySet().containsAll(requestIds));
                System.out.printf("the restarted service answered the rest in %d ms%n",
                        Duration.ofNanos(System.nanoTime() - restart).toMillis());
            }

            Map<String, List<ConsumerRecord<byte[], byte[]>>> byRequest = firstResults(topics);
            Map<String, Set<String>> eventIds = new HashMap<>();
            byRequest.forEach((id, records) -> eventIds.put(id, records.stream()
                    .map(r -> header(r, "ce_id")).collect(Collectors.toSet())));
            Map<String, Long> statuses = byRequest.values().stream()
                    .map(records -> json(records.get(0)).get("status").asText())
                    .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            long republished = byRequest.values().stream().mapToLong(records -> records.size() - 1).sum();
            Map<String, Integer> posts = cloud.postsByRestore();
            Set<String> unknown = byRequest.entrySet().stream()
                    .filter(e -> json(e.getValue().get(0)).get("status").asText().equals("UNKNOWN"))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());

            System.out.printf("requests %d (unique restores %d, duplicates %d); first results %s; "
                            + "same first result published again %d; cloud POSTs %d for %d restores, most per restore %d%n",
                    requestIds.size(), UNIQUE, DUPLICATES, statuses, republished, cloud.posts().size(), posts.size(),
                    posts.values().stream().mapToInt(Integer::intValue).max().orElse(0));

            assertThat(byRequest.keySet()).containsExactlyInAnyOrderElementsOf(requestIds);
            assertThat(eventIds).allSatisfy((id, ids) -> assertThat(ids).as("first results of " + id).hasSize(1));
            assertThat(posts.values()).as("no restore reached the cloud twice").allMatch(count -> count == 1);
            assertThat(statuses.getOrDefault("SUBMITTED", 0L) + statuses.getOrDefault("UNKNOWN", 0L))
                    .as("every unique restore was submitted or is unknown").isEqualTo(UNIQUE);
            assertThat(statuses.getOrDefault("DUPLICATE", 0L)).isEqualTo(DUPLICATES);
            assertThat(unknown).as("UNKNOWN only for requests in flight at the kill").hasSizeLessThanOrEqualTo(MAX_IN_FLIGHT);
            for (String id : unknown) {
                assertThat(json(byRequest.get(id).get(0)).get("error").get("message").asText())
                        .contains("stopped while submitting");
            }
        } finally {
            schema.drop();
        }
    }

    /** 400 restores over 20 instances, and 100 more requests for restores already sent, in random order. */
    private static List<String> sendRequests(RecordCollector topics) {
        Random random = new Random(42);
        long base = Instant.now().minus(Duration.ofHours(2)).toEpochMilli();
        List<String[]> records = new ArrayList<>();
        for (int i = 0; i < UNIQUE; i++) {
            String instance = "%032din07".formatted(i % 20);
            records.add(new String[] {instance, body("crash-" + i, instance, Long.toString(base - i * 1000L), i)});
        }
        for (int d = 0; d < DUPLICATES; d++) {
            int original = random.nextInt(UNIQUE);
            String instance = "%032din07".formatted(original % 20);
            String time = "\"" + Instant.ofEpochMilli(base - original * 1000L) + "\"";
            int position = original + 1 + random.nextInt(Math.max(1, records.size() - original));
            records.add(Math.min(position, records.size()),
                    new String[] {instance, body("crash-dup-" + d, instance, time, original)});
        }
        List<String> ids = new ArrayList<>();
        for (String[] record : records) {
            topics.send(record[0], record[1]);
            ids.add(record[1].replaceAll("(?s).*\"request_id\": \"([^\"]+)\".*", "$1"));
        }
        topics.flush();
        return ids;
    }

    private static String body(String requestId, String instance, String time, int table) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %s,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "t%d", "new_name": "t%d_back"}]}]}
                """.formatted(requestId, PROJECT, instance, time, table, table);
    }

    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> firstResults(RecordCollector topics) {
        Set<String> first = new HashSet<>(List.of("SUBMITTED", "FAILED", "REJECTED", "DUPLICATE", "UNKNOWN"));
        return topics.results().stream()
                .filter(r -> first.contains(json(r).get("status").asText()))
                .collect(Collectors.groupingBy(RecordCollector::key));
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
