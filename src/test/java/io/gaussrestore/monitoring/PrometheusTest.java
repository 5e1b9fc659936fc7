package io.gaussrestore.monitoring;

import static io.gaussrestore.testing.Requests.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.SimulatorSettings;
import io.gaussrestore.testing.Commands;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package) scrapes the service's management port and evaluates the real alert rules
 * (their "for" shortened to seconds): a simulated cloud outage makes GaussdbRestoreCircuitOpen fire and resolve,
 * and every query of the dashboard returns data.
 */
@QuarkusTest
@TestProfile(SimulatorBackedProfile.class)
class PrometheusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    GaussDbSimulator simulator;

    @AfterEach
    void healSimulator() {
        simulator.update(new SimulatorSettings.Patch(null, null, 0.0, null, null, null, null, null));
    }

    private static String prometheusBinary() {
        return Commands.onPath("prometheus", "prometheus", "the alerts and dashboard were, against a real Prometheus,");
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static String alertState(String prometheus, String name) throws Exception {
        for (JsonNode alert : get(prometheus + "/api/v1/alerts").at("/data/alerts")) {
            if (alert.at("/labels/alertname").asText().equals(name)) {
                return alert.get("state").asText();
            }
        }
        return "inactive";
    }

    private static JsonNode query(String prometheus, String promql) throws Exception {
        return get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    private static boolean hasData(JsonNode answer) {
        for (JsonNode series : answer.at("/data/result")) {
            if (!series.at("/value/1").asText().equals("NaN")) {
                return true;
            }
        }
        return false;
    }

    private static String send(String tag, int i) {
        String requestId = "prom-" + tag + "-" + i;
        String instance = tag + "%024d".formatted(i) + "in07";
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]}
                """.formatted(requestId, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli()));
        return requestId;
    }

    private static boolean reached(List<String> ids, String status) {
        return ids.stream().allMatch(id -> TestTopics.resultValues(id).stream()
                .anyMatch(r -> r.get("status").asText().equals(status)));
    }

    @Test
    void theCircuitAlertFiresAndResolvesAndEveryPanelShowsData() throws Exception {
        String binary = prometheusBinary();
        TestTopics.startReader();
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "prometheus")), "run-")
                .toAbsolutePath();
        String rules = Files.readString(MonitoringFilesTest.MONITORING.resolve("alerts.yaml"))
                .replaceAll("for: \\d+m", "for: 3s");
        Files.writeString(dir.resolve("alerts.yaml"), rules);
        int managementPort = ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [alerts.yaml]
                scrape_configs:
                  - job_name: gaussdb-restore-service
                    metrics_path: /q/metrics
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(managementPort));
        int port = ServiceProcess.freePort();
        Process prometheus = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String api = "http://127.0.0.1:" + port;
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        List<String> ids = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> query(api, "up{job=\"gaussdb-restore-service\"} == 1").at("/data/result").size() == 1);
            for (int i = 0; i < 4; i++) {
                ids.add(send(tag, i));
            }
            TestTopics.send("garbage", "not json at all");
            TestTopics.send("bad", "{\"project_id\": \"not valid\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> reached(ids, "SUBMITTED"));

            simulator.startOutage(Duration.ofSeconds(8));
            for (int i = 4; i < 8; i++) {
                ids.add(send(tag, i));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> alertState(api, "GaussdbRestoreCircuitOpen").equals("firing"));
            System.out.println("prometheus: GaussdbRestoreCircuitOpen firing during the outage");
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .until(() -> alertState(api, "GaussdbRestoreCircuitOpen").equals("inactive"));
            System.out.println("prometheus: GaussdbRestoreCircuitOpen resolved after the outage");
            // The GC panel needs a collection since this application started; a quiet test JVM may have had none.
            System.gc();
            // Every job ends before the class does: another class counts completions in this application.
            await().atMost(Duration.ofSeconds(60)).until(() -> reached(ids, "COMPLETED"));

            List<String> empty = new ArrayList<>();
            List<String> queries = MonitoringFilesTest.panelQueries();
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    empty.clear();
                    for (String titled : queries) {
                        String[] parts = titled.split("\t", 2);
                        JsonNode answer = query(api, parts[1]);
                        assertThat(answer.get("status").asText()).as(parts[1] + ": " + answer).isEqualTo("success");
                        if (!hasData(answer)) {
                            empty.add(parts[0] + ": " + parts[1]);
                        }
                    }
                    return empty.isEmpty();
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("panels whose query returns no data: " + empty, e);
            }
            System.out.println("prometheus: all " + queries.size() + " panel queries return data");
        } finally {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
