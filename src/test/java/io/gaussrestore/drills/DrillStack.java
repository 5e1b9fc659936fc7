package io.gaussrestore.drills;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.BrokerProcess;
import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import io.gaussrestore.testing.TcpProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Everything a drill runs against, each a process of its own as in production: a Kafka broker, the simulator as
 * the cloud, a PostgreSQL ledger reached through a TCP proxy
 * that can be cut, and two replicas of the production jar sharing topics, consumer group and ledger.
 */
final class DrillStack implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final BrokerProcess broker;
    final SimulatorProcess simulator;
    final Postgres.Schema schema;
    final TcpProxy ledgerProxy;
    final RecordCollector topics;
    private final Map<String, String> environment;
    private final ServiceProcess[] replicas = new ServiceProcess[2];
    private final int[] starts = new int[2];

    private DrillStack(BrokerProcess broker, SimulatorProcess simulator, Postgres.Schema schema, TcpProxy ledgerProxy,
            RecordCollector topics, Map<String, String> environment) {
        this.broker = broker;
        this.simulator = simulator;
        this.schema = schema;
        this.ledgerProxy = ledgerProxy;
        this.topics = topics;
        this.environment = environment;
    }

    /** The stack a test class's drills share: started (with the report they append to) before them, stopped after. */
    static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private DrillStack stack;

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Drills.startReport();
            stack = start();
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            if (stack != null) {
                stack.close();
            }
        }

        DrillStack get() {
            return stack;
        }
    }

    static DrillStack start() throws Exception {
        BrokerProcess broker = BrokerProcess.start();
        CompletableFuture<SimulatorProcess> simulator = CompletableFuture.supplyAsync(DrillStack::startSimulator);
        Postgres.Schema schema = Postgres.newSchema();
        Matcher server = Pattern.compile("//([^:/]+):(\\d+)/").matcher(schema.jdbcUrl());
        if (!server.find()) {
            throw new IllegalStateException("cannot read host and port of " + schema.jdbcUrl());
        }
        TcpProxy proxy = new TcpProxy(server.group(1), Integer.parseInt(server.group(2)));
        String proxied = schema.jdbcUrl().replace(server.group(0), "//127.0.0.1:" + proxy.port() + "/");
        RecordCollector topics = new RecordCollector(broker.bootstrap(), "drill", 6);
        Map<String, String> env = new HashMap<>(topics.environment());
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap());
        env.put("RESTORE_CONSUMER_GROUP", "drill-" + topics.requests);
        env.put("GAUSSDB_ENDPOINT", simulator.get().baseUrl());
        env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
        env.put("RESTORE_LEDGER_JDBC_URL", proxied);
        env.put("RESTORE_LEDGER_USERNAME", Postgres.user());
        env.put("RESTORE_LEDGER_PASSWORD", Postgres.password());
        env.put("RESTORE_LEDGER_LEASE", "PT5S");
        env.put("RESTORE_TRACKING_LEASE", "PT10S");
        env.put("RESTORE_TRACKING_INTERVAL", "PT1S");
        env.put("RESTORE_TRACKING_FIRST_POLL_DELAY", "PT1S");
        env.put("RESTORE_QUEUE_CHECK_INTERVAL", "PT2S");
        env.put("RESTORE_RATE_PER_MINUTE", "30000");
        env.put("RESTORE_THROTTLING_BURST", "500");
        env.put("RESTORE_MAX_IN_FLIGHT", Integer.toString(MAX_IN_FLIGHT));
        env.put("RESTORE_GAUSSDB_READ_TIMEOUT", "PT3S");
        env.put("RESTORE_RETRY_AMBIGUOUS_GRACE", "PT1S");
        // The broker's smallest session: a killed replica's partitions move on in seconds, not in 15.
        env.put("RESTORE_KAFKA_SESSION_TIMEOUT_MS", "6000");
        DrillStack stack = new DrillStack(broker, simulator.get(), schema, proxy, topics, env);
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> stack.startReplica(0));
        stack.startReplica(1);
        a.join();
        return stack;
    }

    private static SimulatorProcess startSimulator() {
        try {
            return SimulatorProcess.start("drill-simulator", Duration.ofSeconds(2));
        } catch (Exception e) {
            throw new IllegalStateException("the simulator did not start", e);
        }
    }

    /** Starts (or starts again) replica 0 or 1 and waits until it is ready. */
    void startReplica(int index) {
        startReplica(index, Map.of());
    }

    /** As {@link #startReplica(int)}, with some settings other than the drills' usual ones. */
    void startReplica(int index, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(overrides);
        try {
            replicas[index] = ServiceProcess.start("drill-replica-" + index + "-" + (++starts[index]), env);
        } catch (Exception e) {
            throw new IllegalStateException("replica " + index + " did not start", e);
        }
    }

    /** The lines of every replica's logs (all starts) that name this text, at most {@code max}, for a failure. */
    String logLinesAbout(String text, int max) {
        StringBuilder lines = new StringBuilder();
        try (var logs = Files.list(Path.of("target", "service-logs"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("drill-replica-")).sorted().toList()) {
                for (String line : Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    if (line.contains(text) && max-- > 0) {
                        lines.append("\n    ").append(log.getFileName()).append(": ")
                                .append(line, 0, Math.min(line.length(), 400));
                    }
                }
            }
        } catch (java.io.IOException e) {
            lines.append("\n    (logs unreadable: ").append(e).append(')');
        }
        return lines.toString();
    }

    /** How many requests whose request_id starts with the prefix are in this ledger state now. */
    int countInState(String prefix, String state) throws Exception {
        try (Connection connection = schema.dataSource().getConnection();
                var statement = connection.prepareStatement(
                        "SELECT COUNT(*) FROM restore_request WHERE request_id LIKE ? AND state = ?")) {
            statement.setString(1, prefix + "%");
            statement.setString(2, state);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** The ledger's row of one request, in short, for a failure. */
    String ledgerRow(String requestId) {
        try (Connection connection = schema.dataSource().getConnection();
                var statement = connection.prepareStatement("SELECT state, first_status, first_result_published, "
                        + "source, duplicate_of, job_id, lease_owner, queue_place FROM restore_request WHERE request_id = ?")) {
            statement.setString(1, requestId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return "no row";
                }
                StringBuilder text = new StringBuilder();
                for (int c = 1; c <= 8; c++) {
                    text.append(c == 1 ? "" : ", ").append(row.getMetaData().getColumnLabel(c).toLowerCase())
                            .append('=').append(row.getString(c));
                }
                return text.toString();
            }
        } catch (Exception e) {
            return "unreadable: " + e;
        }
    }

    ServiceProcess replica(int index) {
        return replicas[index];
    }

    /** SIGKILL of one replica. */
    void killReplica(int index) throws InterruptedException {
        replicas[index].kill();
    }

    /** A graceful stop of one replica. */
    void stopReplica(int index) throws InterruptedException {
        replicas[index].close();
    }

    // ---- the simulator --------------------------------------------------------------------------------

    void patchSimulator(String json) throws Exception {
        call("PATCH", "/simulator/settings", json);
    }

    void simulatorPost(String pathAndQuery) throws Exception {
        call("POST", pathAndQuery, "");
    }

    private void call(String method, String path, String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** The simulator's journal: every call the cloud received, the only witness the drills trust. */
    List<JsonNode> journal() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                + "/simulator/journal")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        List<JsonNode> entries = new ArrayList<>();
        JSON.readTree(response.body()).forEach(entries::add);
        return entries;
    }

    /** Job ids the ledger holds: a job the cloud started that is not here was started without its claim. */
    Set<String> ledgerJobIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = schema.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT job_id FROM restore_request WHERE job_id IS NOT NULL")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess replica : replicas) {
            if (replica != null) {
                replica.close();
            }
        }
        simulator.close();
        topics.close();
        ledgerProxy.close();
        broker.close();
        schema.drop();
    }
}
