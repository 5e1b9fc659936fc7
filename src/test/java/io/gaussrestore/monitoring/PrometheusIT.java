package io.gaussrestore.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package) scrapes the packaged service and evaluates the real alert rules (their
 * "for" shortened to seconds): a simulated cloud outage makes GaussdbRestoreCircuitOpen fire and resolve, and
 * every query of the dashboard returns data.
 */
class PrometheusIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String prometheusBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "prometheus"))) {
                return Path.of(dir, "prometheus").toString();
            }
        }
        Assumptions.abort("prometheus is not installed: apt-get install prometheus (.ci/run installs it); "
                + "the alerts and dashboard were NOT checked against a real Prometheus");
        return null;
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
            String value = series.at("/value/1").asText();
            if (!value.equals("NaN")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theCircuitAlertFiresAndResolvesAndEveryPanelShowsData() throws Exception {
        String binary = prometheusBinary();
        String bootstrap = new KafkaBroker().start().get("kafka.bootstrap.servers");
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "prometheus")), "run-")
                .toAbsolutePath();
        try (RecordCollector topics = new RecordCollector(bootstrap, "prometheus", 3)) {
            int port = ServiceProcess.freePort();
            Map<String, String> env = new HashMap<>(topics.environment());
            env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            env.put("RESTORE_CONSUMER_GROUP", "group-" + topics.requests);
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("RESTORE_SIMULATOR_ENABLED", "true");
            env.put("GAUSSDB_ENDPOINT", "http://127.0.0.1:" + port);
            env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
            env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:mem:prometheus");
            env.put("RESTORE_SIMULATOR_JOB_DURATION", "PT3S");
            env.put("RESTORE_SIMULATOR_JOB_VISIBILITY_DELAY", "PT0S");
            env.put("RESTORE_TRACKING_INTERVAL", "PT1S");
            env.put("RESTORE_TRACKING_FIRST_POLL_DELAY", "PT1S");
            env.put("RESTORE_RETRY_INITIAL_BACKOFF", "PT0.1S");
            env.put("RESTORE_RETRY_MAX_BACKOFF", "PT1S");
            env.put("RESTORE_THROTTLING_CIRCUIT_OPEN_FOR", "PT2S");
            env.put("RESTORE_RATE_PER_MINUTE", "6000");
            try (ServiceProcess service = ServiceProcess.start("prometheus-target", env)) {
                String rules = Files.readString(MonitoringFilesTest.MONITORING.resolve("alerts.yaml"))
                        .replaceAll("for: \\d+m", "for: 3s");
                Files.writeString(dir.resolve("alerts.yaml"), rules);
                int prometheusPort = ServiceProcess.freePort();
                Files.writeString(dir.resolve("prometheus.yml"), """
                        global: {scrape_interval: 1s, evaluation_interval: 1s}
                        rule_files: [alerts.yaml]
                        scrape_configs:
                          - job_name: gaussdb-restore-service
                            metrics_path: /q/metrics
                            static_configs: [{targets: ["%s"]}]
                        """.formatted(service.managementUrl().replace("http://", "")));
                Process prometheus = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
                String api = "http://127.0.0.1:" + prometheusPort;
                try {
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> query(api, "up{job=\"gaussdb-restore-service\"} == 1").at("/data/result").size() == 1);
                    long now = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
                    for (int i = 0; i < 6; i++) {
                        topics.send("i" + i, request("prom-" + i, "%032din07".formatted(i), now));
                    }
                    topics.send("bad", "{\"project_id\": \"not valid\"}");
                    topics.send("garbage", "not json at all");
                    topics.flush();
                    await().atMost(Duration.ofSeconds(60)).until(() -> topics.results().stream()
                            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"COMPLETED\"")).count() >= 6);

                    HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/simulator/outage?seconds=15"))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    for (int i = 6; i < 10; i++) {
                        topics.send("i" + i, request("prom-" + i, "%032din07".formatted(i), now));
                    }
                    topics.flush();
                    await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                            .until(() -> alertState(api, "GaussdbRestoreCircuitOpen").equals("firing"));
                    System.out.println("prometheus: GaussdbRestoreCircuitOpen firing during the outage");
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                            .until(() -> alertState(api, "GaussdbRestoreCircuitOpen").equals("inactive"));
                    System.out.println("prometheus: GaussdbRestoreCircuitOpen resolved after the outage");
                    await().atMost(Duration.ofSeconds(60)).until(() -> topics.results().stream()
                            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"COMPLETED\"")).count() >= 10);

                    List<String> empty = new ArrayList<>();
                    List<String> queries = MonitoringFilesTest.panelQueries();
                    try {
                        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2)).until(() -> {
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
    }

    private static String request(String requestId, String instance, long restoreTime) {
        return """
                {"request_id": "%s", "project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "%s",
                 "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]}
                """.formatted(requestId, instance, restoreTime);
    }
}
