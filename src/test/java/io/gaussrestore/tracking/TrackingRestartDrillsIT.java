package io.gaussrestore.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The service is stopped while 20 jobs run and started again: each job reaches one terminal result. */
class TrackingRestartDrillsIT {

    private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "UNKNOWN");

    @Test
    void aRestartedServiceFollowsEveryRunningJobToItsEnd() throws Exception {
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Path ledger = Files.createDirectories(Path.of("target", "tracking-restart")).toAbsolutePath()
                .resolve("ledger-" + UUID.randomUUID());
        try (SimulatorProcess simulator = TrackingProcesses.simulator(bootstrap, Duration.ofSeconds(12));
                RecordCollector topics = new RecordCollector(bootstrap, "restart", 3)) {
            Map<String, String> env = TrackingProcesses.serviceEnvironment(bootstrap, topics, simulator,
                    "jdbc:h2:file:" + ledger + ";DB_CLOSE_ON_EXIT=FALSE");
            // The stopped service's tracking leases must lapse well inside the wait below (the default lease is as
            // long as the wait itself, a race the second service could lose).
            env.put("RESTORE_TRACKING_LEASE", "PT10S");
            List<String> ids;
            try (ServiceProcess first = ServiceProcess.start("restart-first", env)) {
                ids = TrackingProcesses.sendRestores(topics, 20, "restart-" + UUID.randomUUID().toString().substring(0, 6));
                await().atMost(Duration.ofMinutes(1)).until(() -> statuses(topics).entrySet().stream()
                        .filter(e -> ids.contains(e.getKey()) && e.getValue().contains("SUBMITTED")).count() == ids.size());
            }
            long terminalWhileStopped = terminal(topics, ids).size();
            System.out.printf("stopped the service with 20 jobs submitted, %d of them already ended%n", terminalWhileStopped);

            try (ServiceProcess second = ServiceProcess.start("restart-second", env)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> terminal(topics, ids).size() == ids.size());
                Thread.sleep(2000); // room for a wrongly repeated terminal result to show up
            }

            Map<String, List<ConsumerRecord<byte[], byte[]>>> terminal = terminal(topics, ids);
            assertThat(terminal).hasSize(20);
            assertThat(terminal).allSatisfy((id, records) -> {
                assertThat(records).as("terminal results of " + id).hasSize(1);
                assertThat(TrackingProcesses.json(records.get(0).value()).get("status").asText()).isEqualTo("COMPLETED");
            });
            System.out.printf("after the restart all %d jobs reached exactly one terminal result%n", terminal.size());
        }
    }

    private static Map<String, List<String>> statuses(RecordCollector topics) {
        return topics.results().stream().collect(Collectors.groupingBy(RecordCollector::key,
                Collectors.mapping(r -> TrackingProcesses.json(r.value()).get("status").asText(), Collectors.toList())));
    }

    static Map<String, List<ConsumerRecord<byte[], byte[]>>> terminal(RecordCollector topics, List<String> ids) {
        return topics.results().stream()
                .filter(r -> ids.contains(new String(r.key(), StandardCharsets.UTF_8)))
                .filter(r -> TERMINAL.contains(TrackingProcesses.json(r.value()).get("status").asText()))
                .collect(Collectors.groupingBy(RecordCollector::key));
    }
}
