package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated GaussDB(for MySQL) v3 and IAM APIs, and the simulator's administration under {@code /simulator},
 * over the JDK's own HTTP server: a thin layer over {@link GaussDbSimulator}. Answers held back (latency, lost
 * answers) wait on a timer, not on a thread.
 */
public final class SimulatorServer implements AutoCloseable {

    private static final Pattern RESTORE = Pattern.compile("/v3/([^/]*)/instances/([^/]*)/backups/restore/tables/?");
    private static final Pattern JOB = Pattern.compile("/v3/([^/]*)/jobs/?");
    private static final Pattern RESTORE_TIME = Pattern.compile("/v3/([^/]*)/instances/([^/]*)/restore-time/?");
    private static final Pattern INSTANCE = Pattern.compile("/v3/([^/]*)/instances/([^/]*)/?");
    private static final Pattern TOKENS = Pattern.compile("/v3/auth/tokens/?");
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private final HttpServer server;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final GaussDbSimulator simulator;
    private final SimulatorAdmin admin;

    private SimulatorServer(HttpServer server, GaussDbSimulator simulator, SimulatorSettings initial) {
        this.server = server;
        this.simulator = simulator;
        this.workers = Executors.newFixedThreadPool(8, daemon("simulator-http"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("simulator-timer"));
        this.admin = new SimulatorAdmin(simulator, initial);
        server.setExecutor(workers);
        server.createContext("/", this::route);
    }

    /** Serves {@code simulator} on 127.0.0.1 at {@code port} (0: any free port); {@code initial} is what a reset restores. */
    public static SimulatorServer start(GaussDbSimulator simulator, SimulatorSettings initial, int port)
            throws IOException {
        return start(simulator, initial, "127.0.0.1", port);
    }

    /** Serves {@code simulator} on {@code host} at {@code port}. */
    public static SimulatorServer start(GaussDbSimulator simulator, SimulatorSettings initial, String host, int port)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 256);
        SimulatorServer server = new SimulatorServer(http, simulator, initial);
        http.start();
        return server;
    }

    public GaussDbSimulator simulator() {
        return simulator;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL to reach it from this machine. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private void route(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (path.equals("/simulator") || path.startsWith("/simulator/")) {
                SimulatorAdmin.Answer answer = admin.handle(method, path, query(exchange), exchange.getRequestBody().readAllBytes());
                send(exchange, answer.status(), Map.of(), answer.body());
                return;
            }
            Matcher m;
            if (method.equals("POST") && (m = RESTORE.matcher(path)).matches()) {
                serve(exchange, "restore", decode(m.group(1)), decode(m.group(2)));
            } else if (method.equals("GET") && (m = JOB.matcher(path)).matches()) {
                serve(exchange, "job", decode(m.group(1)), null);
            } else if (method.equals("GET") && (m = RESTORE_TIME.matcher(path)).matches()) {
                serve(exchange, "restore_time", decode(m.group(1)), decode(m.group(2)));
            } else if (method.equals("POST") && TOKENS.matcher(path).matches()) {
                serve(exchange, "token", "", null);
            } else if (method.equals("GET") && (m = INSTANCE.matcher(path)).matches()) {
                serve(exchange, "instance", decode(m.group(1)), decode(m.group(2)));
            } else {
                SimResponse missing = SimResponse.error(404, "APIGW.0101",
                        "The API does not exist or has not been published in the environment.");
                send(exchange, missing.status(), missing.headers(), missing.body());
            }
        } catch (RuntimeException | IOException e) {
            send(exchange, 500, Map.of(), JsonNodeFactory.instance.objectNode()
                    .put("error_code", "SIM.500").put("error_msg", String.valueOf(e.getMessage())));
        }
    }

    private void serve(HttpExchange exchange, String operation, String projectId, String instanceId)
            throws IOException {
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        byte[] body = exchange.getRequestMethod().equalsIgnoreCase("POST") ? exchange.getRequestBody().readAllBytes() : null;
        GaussDbSimulator current = simulator;
        GaussDbSimulator.Handled handled = current.handle(new GaussDbSimulator.Call(operation,
                exchange.getRequestMethod().toUpperCase(Locale.ROOT), exchange.getRequestURI().getRawPath(), projectId,
                instanceId, headers, query(exchange), body));
        Duration wait = current.settings().latency().plus(handled.hold());
        Runnable answer = () -> {
            current.responded(handled.journalSeq());
            SimResponse response = handled.response();
            send(exchange, response.status(), response.headers(), response.body());
        };
        if (wait.toMillis() < 1) {
            answer.run();
        } else {
            timer.schedule(() -> workers.execute(answer), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, JsonNode body) {
        try (exchange) {
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            if (body == null) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException gone) {
            // The caller hung up first (a client time-out): nothing is left to tell it.
        }
    }

    /** The query parameters, decoded; the first value of a repeated name. */
    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.putIfAbsent(name, value);
        }
        return query;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
