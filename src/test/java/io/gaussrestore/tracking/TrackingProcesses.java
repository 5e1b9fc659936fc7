package io.gaussrestore.tracking;

import static io.gaussrestore.testing.Requests.PROJECT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A simulator running on its own and services that use it. */
final class TrackingProcesses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrackingProcesses() {}

    /** The cloud for these tests: jobs that run {@code jobDuration}, outliving any one service process. */
    static SimulatorProcess simulator(String bootstrap, Duration jobDuration) throws Exception {
        return SimulatorProcess.start("simulator-" + UUID.randomUUID().toString().substring(0, 8), jobDuration);
    }

    /** The environment of a service that uses the simulator and follows jobs every second. */
    static Map<String, String> serviceEnvironment(String bootstrap, RecordCollector topics, SimulatorProcess simulator,
            String ledgerUrl) {
        Map<String, String> env = new HashMap<>(topics.environment());
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("RESTORE_CONSUMER_GROUP", "group-" + topics.requests);
        env.put("GAUSSDB_ENDPOINT", simulator.baseUrl());
        env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
        env.put("RESTORE_LEDGER_JDBC_URL", ledgerUrl);
        env.put("RESTORE_TRACKING_INTERVAL", "PT1S");
        env.put("RESTORE_TRACKING_FIRST_POLL_DELAY", "PT1S");
        env.put("RESTORE_RATE_PER_MINUTE", "6000");
        env.put("RESTORE_THROTTLING_BURST", "100");
        return env;
    }

    /** Sends one restore per instance and answers the request ids. */
    static List<String> sendRestores(RecordCollector topics, int count, String prefix) {
        List<String> ids = new ArrayList<>();
        long time = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            String instance = "%028d%04din07".formatted(i, Math.abs(prefix.hashCode()) % 10000);
            topics.send(instance, """
                    {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                     "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                    """.formatted(id, PROJECT, instance, time));
            ids.add(id);
        }
        topics.flush();
        return ids;
    }

    /** The simulator's journal of calls. */
    static List<JsonNode> journal(SimulatorProcess simulator) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        JSON.readTree(URI.create(simulator.baseUrl() + "/simulator/journal").toURL()).forEach(entries::add);
        return entries;
    }

    static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
