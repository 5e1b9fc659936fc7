package io.gaussrestore.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL ledger: each job is polled by one of them at a time and ends once. */
class TwoTrackersIT {

    @Test
    void everyJobHasOneTrackerAtATime() throws Exception {
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Postgres.Schema schema = Postgres.newSchema();
        Duration jobDuration = Duration.ofSeconds(10);
        try (ServiceProcess simulator = TrackingProcesses.simulator(bootstrap, jobDuration);
                RecordCollector topics = new RecordCollector(bootstrap, "trackers", 4)) {
            Map<String, String> env = new HashMap<>(TrackingProcesses.serviceEnvironment(bootstrap, topics, simulator,
                    schema.jdbcUrl()));
            env.put("RESTORE_LEDGER_USERNAME", Postgres.user());
            env.put("RESTORE_LEDGER_PASSWORD", Postgres.password());
            List<String> ids;
            try (ServiceProcess a = ServiceProcess.start("tracker-a", env);
                    ServiceProcess b = ServiceProcess.start("tracker-b", env)) {
                ids = TrackingProcesses.sendRestores(topics, 20, "trackers-" + UUID.randomUUID().toString().substring(0, 6));
                await().atMost(Duration.ofMinutes(1)).until(() -> TrackingRestartIT.terminal(topics, ids).size() == ids.size());
                Thread.sleep(2000);
                System.out.printf("two trackers: results logged by a=%d b=%d%n",
                        a.log().lines().filter(l -> l.contains("JobTracker")).count(),
                        b.log().lines().filter(l -> l.contains("JobTracker")).count());
            }

            Map<String, List<ConsumerRecord<byte[], byte[]>>> terminal = TrackingRestartIT.terminal(topics, ids);
            assertThat(terminal).hasSize(20).allSatisfy((id, records) -> assertThat(records).hasSize(1));

            Map<String, List<JsonNode>> pollsByJob = new HashMap<>();
            for (JsonNode call : TrackingProcesses.journal(simulator)) {
                if (call.get("operation").asText().equals("job")) {
                    pollsByJob.computeIfAbsent(call.get("job_id").asText(), k -> new ArrayList<>()).add(call);
                }
            }
            assertThat(pollsByJob).hasSize(20);
            int most = 0;
            int total = 0;
            for (List<JsonNode> polls : pollsByJob.values()) {
                polls.sort(Comparator.comparing(p -> Instant.parse(p.get("received_at").asText())));
                for (int i = 1; i < polls.size(); i++) {
                    Instant previousEnd = Instant.parse(polls.get(i - 1).get("responded_at").asText());
                    Instant next = Instant.parse(polls.get(i).get("received_at").asText());
                    assertThat(next).as("a poll of a job starts only after the previous one answered").isAfterOrEqualTo(previousEnd);
                }
                most = Math.max(most, polls.size());
                total += polls.size();
            }
            // One tracker at a 1 s interval polls a 10 s job about 10 times; two trackers would double it.
            assertThat(most).isLessThanOrEqualTo(16);
            System.out.printf("two trackers: %d polls for 20 jobs of %d s (at most %d for one job)%n", total,
                    jobDuration.toSeconds(), most);
        } finally {
            schema.drop();
        }
    }
}
