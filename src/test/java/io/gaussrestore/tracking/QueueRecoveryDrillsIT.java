package io.gaussrestore.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The lines of busy instances survive a crash of the service and are shared by replicas: on real processes, each
 * queued request is sent exactly once, in its instance's order, and reaches one terminal result.
 */
class QueueRecoveryDrillsIT {

    /** Sends {@code perInstance} restores to each of {@code instances} instances, in rounds; the ids by instance. */
    private static Map<String, List<String>> sendLines(RecordCollector topics, int instances, int perInstance,
            String prefix) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        long time = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        for (int round = 0; round < perInstance; round++) {
            for (int i = 0; i < instances; i++) {
                String instance = "%028d%04din07".formatted(i, Math.abs(prefix.hashCode()) % 10000);
                String id = prefix + "-" + i + "-" + round;
                topics.send(instance, """
                        {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                         "restore_tables": [{"database": "shop", "tables": [{"old_name": "t%d", "new_name": "t%d_back"}]}]}
                        """.formatted(id, io.gaussrestore.testing.Requests.PROJECT, instance, time, round, round));
                lines.computeIfAbsent(instance, k -> new ArrayList<>()).add(id);
            }
        }
        topics.flush();
        return lines;
    }

    private static Map<String, String> onPostgres(String bootstrap, RecordCollector topics, SimulatorProcess simulator,
            Postgres.Schema schema) {
        Map<String, String> env = new HashMap<>(TrackingProcesses.serviceEnvironment(bootstrap, topics, simulator,
                schema.jdbcUrl()));
        env.put("RESTORE_LEDGER_USERNAME", Postgres.user());
        env.put("RESTORE_LEDGER_PASSWORD", Postgres.password());
        return env;
    }

    private static Map<String, List<String>> statuses(RecordCollector topics) {
        Map<String, List<String>> statuses = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : topics.results()) {
            statuses.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(TrackingProcesses.json(r.value()).get("status").asText());
        }
        return statuses;
    }

    private static long count(Map<String, List<String>> statuses, List<String> ids, String status) {
        return ids.stream().filter(id -> statuses.getOrDefault(id, List.of()).contains(status)).count();
    }

    /** Every request SUBMITTED once and COMPLETED once, and each instance's POSTs in the order sent. */
    private static void eachSentOnceInOrder(RecordCollector topics, SimulatorProcess simulator,
            Map<String, List<String>> lines) throws Exception {
        Map<String, List<String>> statuses = statuses(topics);
        Map<String, String> requestByJob = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : topics.results()) {
            JsonNode result = TrackingProcesses.json(r.value());
            if (result.get("status").asText().equals("SUBMITTED")) {
                requestByJob.put(result.get("job_id").asText(), result.get("request_id").asText());
            }
        }
        Map<String, List<JsonNode>> postsByInstance = new HashMap<>();
        for (JsonNode call : TrackingProcesses.journal(simulator)) {
            if (call.get("operation").asText().equals("restore")) {
                postsByInstance.computeIfAbsent(call.get("instance_id").asText(), k -> new ArrayList<>()).add(call);
            }
        }
        lines.forEach((instance, ids) -> {
            ids.forEach(id -> {
                List<String> of = statuses.get(id);
                assertThat(of.stream().filter("SUBMITTED"::equals)).as("SUBMITTED results of " + id).hasSize(1);
                assertThat(of.stream().filter("COMPLETED"::equals)).as("COMPLETED results of " + id).hasSize(1);
            });
            List<JsonNode> posts = postsByInstance.get(instance);
            posts.sort(Comparator.comparing(p -> Instant.parse(p.get("received_at").asText())));
            assertThat(posts).as("POSTs to " + instance).allSatisfy(p -> assertThat(p.get("status").asInt()).isEqualTo(200));
            assertThat(posts.stream().map(p -> requestByJob.get(p.get("job_id").asText())).toList())
                    .as("one POST per request, in the order sent, on " + instance).containsExactlyElementsOf(ids);
        });
    }

    /** What a run needs: a broker, a PostgreSQL schema, the simulator and the topics, and a service's environment. */
    private record Rig(Postgres.Schema schema, SimulatorProcess simulator, RecordCollector topics,
            Map<String, String> env) implements AutoCloseable {

        static Rig open(String name, int partitions, Duration jobLength) throws Exception {
            String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
            // PostgreSQL, as a deployment that must survive a SIGKILL has: the embedded H2 file delays its writes.
            Postgres.Schema schema = Postgres.newSchema();
            SimulatorProcess simulator = TrackingProcesses.simulator(bootstrap, jobLength);
            RecordCollector topics = new RecordCollector(bootstrap, name, partitions);
            return new Rig(schema, simulator, topics, onPostgres(bootstrap, topics, simulator, schema));
        }

        long count(List<String> ids, String status) {
            return QueueRecoveryDrillsIT.count(statuses(topics), ids, status);
        }

        /** Waits until every request sent has COMPLETED, then leaves a wrongly repeated result 2 s to show up. */
        void awaitAllCompleted(List<String> ids, Duration atMost) throws InterruptedException {
            await().atMost(atMost).until(() -> count(ids, "COMPLETED") == ids.size());
            Thread.sleep(2000);
        }

        @Override
        public void close() throws Exception {
            try (simulator; topics) {
                schema.drop();
            }
        }
    }

    private static List<String> all(Map<String, List<String>> lines) {
        return lines.values().stream().flatMap(List::stream).toList();
    }

    @Test
    void aCrashWithFiftyQueuedLosesNoneAndDoublesNone() throws Exception {
        // Ten instances, each with one restore running and five waiting behind it. Jobs of 5 s: every request has
        // its first result before any line moves, so the kill finds none in flight.
        try (Rig rig = Rig.open("queue-crash", 3, Duration.ofSeconds(5))) {
            Map<String, List<String>> lines;
            try (ServiceProcess first = ServiceProcess.start("queue-first", rig.env())) {
                lines = sendLines(rig.topics(), 10, 6, "crash-" + UUID.randomUUID().toString().substring(0, 6));
                await().atMost(Duration.ofMinutes(1)).until(() -> rig.count(all(lines), "QUEUED") >= 50);
                first.kill();
                System.out.printf("queue crash: killed the service with %d requests queued and %d submitted%n",
                        rig.count(all(lines), "QUEUED"), rig.count(all(lines), "SUBMITTED"));
            }
            long start = System.nanoTime();
            try (ServiceProcess second = ServiceProcess.start("queue-second", rig.env())) {
                rig.awaitAllCompleted(all(lines), Duration.ofMinutes(3));
            }
            eachSentOnceInOrder(rig.topics(), rig.simulator(), lines);
            System.out.printf("queue crash: after the restart all %d requests were sent once, in order, and completed "
                    + "in %d s%n", all(lines).size(), Duration.ofNanos(System.nanoTime() - start).toSeconds());
        }
    }

    @Test
    void twoReplicasReleaseEachQueuedRequestExactlyOnce() throws Exception {
        try (Rig rig = Rig.open("queue-replicas", 4, Duration.ofSeconds(2))) {
            Map<String, List<String>> lines;
            try (ServiceProcess a = ServiceProcess.start("queue-a", rig.env());
                    ServiceProcess b = ServiceProcess.start("queue-b", rig.env())) {
                lines = sendLines(rig.topics(), 5, 5, "replicas-" + UUID.randomUUID().toString().substring(0, 6));
                rig.awaitAllCompleted(all(lines), Duration.ofMinutes(2));
                System.out.printf("queue replicas: releases logged by a=%d b=%d%n",
                        a.log().lines().filter(l -> l.contains("leaves the line")).count(),
                        b.log().lines().filter(l -> l.contains("leaves the line")).count());
            }
            eachSentOnceInOrder(rig.topics(), rig.simulator(), lines);
        }
    }
}
