package io.gaussrestore.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ScramBroker;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka with credentials, set only through the usual KAFKA_* variables: the packaged service against a broker
 * whose client listener requires SASL_SSL with SCRAM-SHA-512. Wrong credentials keep it not ready and its log
 * says why; the right ones carry a request end to end, and its production JSON log lines name the request.
 */
class ScramKafkaIT {

    private static final String PASSWORD = "the-right-scram-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> environment(ScramBroker broker, RecordCollector topics, String password,
            SimulatorProcess cloud) {
        Map<String, String> env = new HashMap<>(topics.environment());
        env.putAll(broker.clientEnvironment(password));
        env.put("RESTORE_CONSUMER_GROUP", "group-" + topics.requests);
        env.put("GAUSSDB_ENDPOINT", cloud.baseUrl());
        env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
        env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:mem:scram-" + topics.requests);
        env.put("RESTORE_TRACKING_ENABLED", "false");
        return env;
    }

    @Test
    void wrongCredentialsKeepTheServiceNotReadyAndTheRightOnesCarryARequestEndToEnd() throws Exception {
        try (ScramBroker broker = ScramBroker.start(PASSWORD);
                RecordCollector topics = new RecordCollector(broker.plainBootstrap(), "scram", 1);
                SimulatorProcess cloud = SimulatorProcess.start("scram-simulator", Duration.ofSeconds(2))) {
            try (ServiceProcess refused = ServiceProcess.launch("scram-wrong-password",
                    environment(broker, topics, "a-wrong-password", cloud))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> refused.log().contains("invalid credentials"));
                await().atMost(Duration.ofSeconds(30)).until(() -> refused.readiness() == 503);
                assertThat(refused.log()).contains("SCRAM-SHA-512").doesNotContain("a-wrong-password")
                        .doesNotContain(PASSWORD);
                assertThat(refused.readiness()).as("still not ready").isEqualTo(503);
            }

            try (ServiceProcess service = ServiceProcess.start("scram-right-password",
                    environment(broker, topics, PASSWORD, cloud))) {
                String requestId = "scram-" + System.nanoTime();
                String instance = "5c7a3b1f2e4d4c6b8a9e0f1d2c3b4a59in07";
                topics.send(instance, """
                        {"request_id": "%s", "project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "%s",
                         "restore_time": %d,
                         "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]}
                        """.formatted(requestId, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli()));
                topics.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> topics.results().stream()
                        .anyMatch(r -> RecordCollector.key(r).equals(requestId)
                                && new String(r.value(), StandardCharsets.UTF_8).contains("\"status\":\"SUBMITTED\"")));
                assertThat(service.readiness()).isEqualTo(200);
                // The result reaches the topic a moment before the line that reports it is written.
                await().atMost(Duration.ofSeconds(30)).until(() -> service.log().lines()
                        .anyMatch(l -> l.contains(requestId) && l.contains("SUBMITTED job")));
                assertThat(service.log()).doesNotContain(PASSWORD);
                // Production logs are JSON, and every line about the request names it.
                List<JsonNode> lines = new ArrayList<>();
                for (String line : service.log().split("\n")) {
                    if (line.startsWith("{")) {
                        lines.add(JSON.readTree(line));
                    }
                }
                assertThat(lines).as("JSON log lines").hasSizeGreaterThan(10);
                List<JsonNode> aboutIt = lines.stream()
                        .filter(l -> l.path("message").asText().contains(requestId)).toList();
                assertThat(aboutIt).as("lines about the request").hasSizeGreaterThanOrEqualTo(2)
                        .allSatisfy(l -> assertThat(l.at("/mdc/request_id").asText()).isEqualTo(requestId))
                        .allSatisfy(l -> assertThat(l.at("/mdc/instance_id").asText()).isEqualTo(instance));
                assertThat(aboutIt).anySatisfy(l -> assertThat(l.path("message").asText()).contains("SUBMITTED job"))
                        .anySatisfy(l -> assertThat(l.at("/mdc/job_id").asText()).isNotBlank());
                assertThat(lines).anySatisfy(l -> {
                    assertThat(l.path("message").asText()).startsWith("restore instance " + instance);
                    assertThat(l.at("/mdc/instance_id").asText()).isEqualTo(instance);
                });
            }
        }
    }
}
