package io.gaussrestore.bench;

import static io.gaussrestore.testing.Requests.PROJECT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.BrokerProcess;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The benchmark: a broker in its own JVM, the simulator as a fast fake of the cloud at a chosen latency, and the
 * production jar started with the production JVM options ({@code docker/jvm.options}) under the Kubernetes
 * manifest's memory limit. Every figure is measured from outside: times from the Kafka timestamps of each request
 * and its first result, calls from the simulator's journal, CPU and memory from /proc. Run by
 * {@code deploy/bench.sh}; the table goes to {@code target/bench/results.md}, the chart to
 * {@code target/bench/first-results.svg}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true", disabledReason = "the benchmark runs with deploy/bench.sh")
class BenchIT {

    private static final double SCALE = Double.parseDouble(System.getProperty("bench.scale", "1"));
    private static final int RATE_MINUTES = Integer.getInteger("bench.rate.minutes", 5);
    private static final int SOAK_MINUTES = Integer.getInteger("bench.soak.minutes", 0);
    private static final Set<String> FIRST = Set.of("SUBMITTED", "QUEUED", "DUPLICATE", "UNKNOWN", "FAILED", "REJECTED");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path OUT = Path.of("target", "bench");
    private static final Path ARCHIVE = OUT.resolve("app.jsa");
    /** The pace of valid requests for other instances during a storm. */
    private static final int OTHERS_PER_SECOND = 50;
    /** Partitions of each scenario's request topic. */
    private static final int REQUEST_PARTITIONS = 6;

    private BrokerProcess broker;
    private SimulatorProcess simulator;
    private final List<Measure.Row> rows = new ArrayList<>();
    private final Map<String, long[]> series = new LinkedHashMap<>();
    private final List<Duration> starts = new ArrayList<>();
    private Duration coldStart;

    /** -Dbench.scenarios=valid,invalid,... runs only those (baseline, valid, valid300, duplicates, invalid, rate). */
    private static boolean chosen(String scenario) {
        String only = System.getProperty("bench.scenarios", "");
        return only.isBlank() || List.of(only.split(",")).contains(scenario);
    }

    private static int n(int count) {
        return Math.max(10, (int) Math.round(count * SCALE));
    }

    @Test
    void bench() throws Exception {
        Files.createDirectories(OUT);
        broker = BrokerProcess.start();
        simulator = SimulatorProcess.start("bench-simulator", Duration.ofSeconds(2));
        try {
            patchSimulator("{\"latency\": \"PT0S\", \"throttle_per_minute\": 0, \"job_visibility_delay\": \"PT0S\"}");
            trainClassArchive();
            Measure.Row seq0 = chosen("baseline") ? valid("sequential baseline, API 0 ms", 1, n(300), Duration.ZERO, null) : null;
            if (chosen("valid")) {
                valid("valid, API 0 ms", 256, n(10_000), Duration.ZERO, seq0);
            }
            Measure.Row seq300 = chosen("baseline")
                    ? valid("sequential baseline, API 300 ms", 1, n(60), Duration.ofMillis(300), null) : null;
            if (chosen("valid300")) {
                valid("valid, API 300 ms, 3,000 instances", 256, n(3_000), Duration.ofMillis(300), seq300);
            }
            patchSimulator("{\"latency\": \"PT0S\"}");
            if (chosen("duplicates")) {
                storm("duplicates", n(20_000), n(1_000));
            }
            if (chosen("invalid")) {
                storm("invalid", n(20_000), n(1_000));
            }
            if (chosen("rate") && RATE_MINUTES > 0) {
                rateLimit(300, 1_200, RATE_MINUTES);
            }
            if (SOAK_MINUTES > 0) {
                soak(SOAK_MINUTES, 100);
            }
        } finally {
            simulator.close();
            broker.close();
        }
        String table = Measure.table(rows, starts, LocalDate.now(), Runtime.getRuntime().availableProcessors())
                + "Without the class archive (the training start): %.2f s\n".formatted(coldStart.toMillis() / 1000.0);
        Files.writeString(OUT.resolve("results.md"), table);
        Files.writeString(OUT.resolve("first-results.svg"), Measure.chart(series));
        System.out.println("BENCH results\n" + table);
    }

    // ---- the service under test -----------------------------------------------------------------------

    /** The production jar with the production JVM options and a memory limit as in the Kubernetes manifest. */
    private ServiceProcess service(RecordCollector topics, int inFlight, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(topics.environment());
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap());
        env.put("RESTORE_CONSUMER_GROUP", "bench-" + topics.requests);
        env.put("GAUSSDB_ENDPOINT", simulator.baseUrl());
        env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
        env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:file:" + OUT.toAbsolutePath().resolve("ledger-" + topics.requests)
                + "/ledger;DB_CLOSE_ON_EXIT=FALSE");
        env.put("RESTORE_RATE_PER_MINUTE", "1000000");
        env.put("RESTORE_READ_RATE_PER_MINUTE", "1000000");
        env.put("RESTORE_THROTTLING_BURST", "1000");
        env.put("RESTORE_MAX_IN_FLIGHT", Integer.toString(inFlight));
        env.put("GAUSSDB_CONNECTION_POOL_SIZE", Integer.toString(Math.max(50, inFlight + 64)));
        env.putAll(extra);
        ServiceProcess service = ServiceProcess.start("bench-" + topics.requests, env, jvmOptions());
        starts.add(service.readyAfter());
        return service;
    }

    /**
     * As the image is built: one start that writes the classes it loaded to an archive at its exit (AppCDS); every
     * later start maps them instead of loading them again.
     */
    private void trainClassArchive() throws Exception {
        Files.deleteIfExists(ARCHIVE);
        try (RecordCollector topics = new RecordCollector(broker.bootstrap(), "bench", 1);
                ServiceProcess training = service(topics, 16, Map.of())) {
            coldStart = training.readyAfter();
            starts.remove(starts.size() - 1);
        }
        if (!Files.exists(ARCHIVE)) {
            throw new IllegalStateException("the training start wrote no class archive at " + ARCHIVE);
        }
    }

    /** docker/jvm.options, as the image, the manifest and the local stack use them, under a 512 MiB limit. */
    static List<String> jvmOptions() throws Exception {
        List<String> options = new ArrayList<>(List.of(System.getProperty("bench.memory-limit", "-XX:MaxRAM=512m")));
        options.add(Files.exists(ARCHIVE) ? "-XX:SharedArchiveFile=" + ARCHIVE.toAbsolutePath()
                : "-XX:ArchiveClassesAtExit=" + ARCHIVE.toAbsolutePath());
        for (String line : Files.readAllLines(Path.of("docker", "jvm.options"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                options.add(line.trim());
            }
        }
        // For profiling, for example -XX:StartFlightRecording=filename=target/bench/service.jfr,settings=profile
        String extra = System.getProperty("bench.jvm.extra", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    // ---- scenarios --------------------------------------------------------------------------------------

    /** Valid requests, one per instance, after a warm-up of the same kind. */
    private Measure.Row valid(String name, int inFlight, int count, Duration latency, Measure.Row baseline)
            throws Exception {
        patchSimulator("{\"latency\": \"" + latency + "\"}");
        try (RecordCollector topics = new RecordCollector(broker.bootstrap(), "bench", REQUEST_PARTITIONS);
                ServiceProcess service = service(topics, inFlight, Map.of())) {
            Batch warm = new Batch("warm");
            for (int i = 0; i < Math.min(count, inFlight == 1 ? n(50) : n(2_000)); i++) {
                warm.valid(instance("w", i), "warm");
            }
            run(topics, service, warm, Duration.ofMinutes(10));
            Batch batch = new Batch("valid");
            for (int i = 0; i < count; i++) {
                batch.valid(instance("v", i), "valid");
            }
            Measure.Run run = run(topics, service, batch, Duration.ofMinutes(20));
            Measure.Row row = Measure.row(name, run, "valid", journalPosts(batch.instances), batch.uniqueRestores,
                    baseline);
            rows.add(row);
            series.put(name, run.perSecond("valid"));
            return row;
        }
    }

    /**
     * A storm on one instance (duplicates or invalid records), produced at once, while valid requests for other
     * instances keep arriving at a steady {@link #OTHERS_PER_SECOND} from the moment it is sent.
     */
    private void storm(String kind, int stormCount, int validCount) throws Exception {
        try (RecordCollector topics = new RecordCollector(broker.bootstrap(), "bench", REQUEST_PARTITIONS);
                ServiceProcess service = service(topics, 256, Map.of())) {
            Batch warm = new Batch("warm");
            for (int i = 0; i < n(2_000); i++) {
                warm.valid(instance("w", i), "warm");
            }
            run(topics, service, warm, Duration.ofMinutes(10));
            // Warm for the storm's own kind too (on an instance of its own), so the storm is measured warm.
            Batch warmStorm = new Batch("warm-" + kind);
            stormRecords(warmStorm, kind, instance("ws", 0), n(2_000));
            run(topics, service, warmStorm, Duration.ofMinutes(10));
            Batch batch = new Batch(kind);
            String target = instance("s", 0);
            stormRecords(batch, kind, target, stormCount);
            // Requests for other instances: those on other partitions show whether the storm holds them up; those
            // on the storm's own partition are read after the storm records before them (a partition is read in
            // order), so they wait for those to be answered.
            Batch others = new Batch(kind + "-others");
            Set<String> otherPartitions = new HashSet<>();
            Set<String> behind = new HashSet<>();
            for (int valid = 0; valid < validCount; valid++) {
                String other = instance("o", valid);
                boolean sharesPartition = partition(other) == partition(target);
                others.valid(other, sharesPartition ? "behind" : "others");
                (sharesPartition ? behind : otherPartitions).add(other);
            }
            batch.trickle = others;
            Measure.Run run = run(topics, service, batch, Duration.ofMinutes(20));
            rows.add(Measure.row(kind + " storm, one instance", run, "storm", journalPosts(Set.of(target)),
                    kind.equals("duplicates") ? 1 : 0, null));
            rows.add(Measure.row("valid requests on other partitions during the " + kind + " storm", run, "others",
                    journalPosts(otherPartitions), otherPartitions.size(), null));
            rows.add(Measure.row("valid requests behind the " + kind + " storm in its partition", run, "behind",
                    journalPosts(behind), behind.size(), null));
            series.put(kind + " storm", run.perSecond("storm"));
        }
    }

    /**
     * A storm on one instance: for duplicates, a valid request then, by turns, that request again (same request_id)
     * and the same restore under a new request_id; else records that break a rule.
     */
    private static void stormRecords(Batch batch, String kind, String target, int count) {
        if (kind.equals("duplicates")) {
            batch.valid(target, "storm");
        }
        for (int i = 0; i < count; i++) {
            if (kind.equals("duplicates")) {
                if (i % 2 == 0) {
                    batch.repeatFirst("storm");
                } else {
                    batch.sameRestoreNewId(target, "storm");
                }
            } else {
                batch.invalid(target, i, "storm");
            }
        }
    }

    /**
     * The gateway allows {@code limit} restore POSTs per project per minute in fixed windows (and as many of each
     * other API); the service is configured at {@code configured}. Over {@code minutes}, the share of the limit
     * used and of POSTs answered 429, from the second window on (the first is where the limit is learnt).
     */
    private void rateLimit(int limit, int configured, int minutes) throws Exception {
        patchSimulator("{\"latency\": \"PT0.05S\", \"throttle_per_minute\": " + limit + ", \"throttle_window\": \"PT1M\"}");
        try (RecordCollector topics = new RecordCollector(broker.bootstrap(), "bench", REQUEST_PARTITIONS);
                ServiceProcess service = service(topics, 256, Map.of("RESTORE_RATE_PER_MINUTE", Integer.toString(configured),
                        "RESTORE_READ_RATE_PER_MINUTE", Integer.toString(configured), "RESTORE_THROTTLING_BURST", "20",
                        "RESTORE_TRACKING_INTERVAL", "PT5S"))) {
            Batch batch = new Batch("rate");
            int count = limit * (minutes + 2);
            for (int i = 0; i < count; i++) {
                batch.valid(instance("r", i), "rate");
            }
            Instant start = Instant.now();
            batch.send(topics);
            Thread.sleep(Duration.ofMinutes(minutes + 1).toMillis());
            List<JsonNode> posts = journalPosts(batch.instances);
            Instant from = posts.isEmpty() ? start : Instant.parse(posts.get(0).get("received_at").asText()).plus(Duration.ofMinutes(1));
            Instant to = from.plus(Duration.ofMinutes(minutes));
            long accepted = 0;
            long throttled = 0;
            long all = 0;
            for (JsonNode post : posts) {
                Instant at = Instant.parse(post.get("received_at").asText());
                if (at.isBefore(from) || !at.isBefore(to)) {
                    continue;
                }
                all++;
                int status = post.get("status").asInt();
                accepted += status == 200 ? 1 : 0;
                throttled += status == 429 ? 1 : 0;
            }
            double used = accepted / (double) (limit * minutes);
            rows.add(new Measure.Row("rate limit " + limit + "/min (service at " + configured + "), " + minutes
                    + " min", all, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    100.0 * throttled / Math.max(1, all), Double.NaN, service.residentMegabytes(),
                    "%.1f%% of the limit used (%d of %d restore POSTs accepted)".formatted(100 * used, accepted,
                            limit * minutes)));
        } finally {
            patchSimulator("{\"latency\": \"PT0S\", \"throttle_per_minute\": 0}");
        }
    }

    /** A steady load for a while: resident memory sampled every 30 s, to show it does not grow. */
    private void soak(int minutes, int perSecond) throws Exception {
        try (RecordCollector topics = new RecordCollector(broker.bootstrap(), "bench", REQUEST_PARTITIONS);
                ServiceProcess service = service(topics, 256, Map.of())) {
            List<Long> rss = new ArrayList<>();
            int sent = 0;
            Instant start = Instant.now();
            Instant nextSample = start;
            Batch batch = new Batch("soak");
            while (Duration.between(start, Instant.now()).toMinutes() < minutes) {
                Batch second = new Batch("soak");
                for (int i = 0; i < perSecond; i++) {
                    second.valid(instance("k", sent++), "soak");
                }
                second.send(topics);
                batch.absorb(second);
                if (!Instant.now().isBefore(nextSample)) {
                    rss.add(service.residentMegabytes());
                    nextSample = nextSample.plusSeconds(30);
                }
                Thread.sleep(1000);
            }
            rows.add(new Measure.Row("soak " + minutes + " min at " + perSecond + "/s", sent, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, service.residentMegabytes(),
                    "RSS every 30 s (MB): " + rss));
        }
    }

    // ---- measuring -------------------------------------------------------------------------------------

    /** Sends the batch and waits until every record has its first result; CPU is counted over that span. */
    private Measure.Run run(RecordCollector topics, ServiceProcess service, Batch batch, Duration timeout)
            throws Exception {
        int seenBefore = topics.results().size();
        long cpuBefore = service.cpuMillis();
        batch.send(topics);
        Thread trickling = null;
        if (batch.trickle != null) {
            Batch trickle = batch.trickle;
            trickling = new Thread(() -> trickle.sendSteadily(topics, OTHERS_PER_SECOND), "bench-trickle");
            trickling.start();
        }
        Map<String, List<Long>> firstResults = new HashMap<>();
        int parsed = seenBefore;
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> results = topics.results();
            for (ConsumerRecord<byte[], byte[]> record : results.subList(parsed, results.size())) {
                String id = new String(record.key(), StandardCharsets.UTF_8);
                // Every id: the records of a trickle are known to the batch only once all are sent.
                if (FIRST.contains(JSON.readTree(record.value()).path("status").asText())) {
                    firstResults.computeIfAbsent(id, k -> new ArrayList<>()).add(record.timestamp());
                }
            }
            parsed = results.size();
            if (trickling != null && !trickling.isAlive()) {
                batch.absorb(batch.trickle);
                trickling = null;
            }
            if (trickling == null && batch.sentAt.entrySet().stream().allMatch(e -> firstResults.getOrDefault(e.getKey(), List.of()).size()
                    >= e.getValue().size())) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                long missing = batch.sentAt.entrySet().stream().mapToLong(e -> Math.max(0,
                        e.getValue().size() - firstResults.getOrDefault(e.getKey(), List.of()).size())).sum();
                throw new IllegalStateException(batch.name + ": " + missing + " records without a first result after "
                        + timeout);
            }
            Thread.sleep(100);
        }
        long cpu = service.cpuMillis() - cpuBefore;
        return new Measure.Run(batch.sentAt, batch.groupOf, firstResults, cpu, service.residentMegabytes());
    }

    /** The partition of the request topic that the producer's default partitioner gives a record key. */
    private static int partition(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % REQUEST_PARTITIONS;
    }

    private List<JsonNode> journalPosts(Set<String> instances) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                + "/simulator/journal")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        List<JsonNode> posts = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(response.body())) {
            if (entry.path("operation").asText().equals("restore") && instances.contains(entry.path("instance_id").asText())) {
                posts.add(entry);
            }
        }
        return posts;
    }

    private void patchSimulator(String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                        + "/simulator/settings")).method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("simulator settings refused: " + response.body());
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

    /** An instance id no other scenario uses (the simulator lives through them all). */
    private static String instance(String prefix, int i) {
        return "%s%031d".formatted(prefix, INSTANCES.incrementAndGet()) + "in07";
    }

    /** Records to send, with when each was sent and which group it counts in. */
    static final class Batch {
        final String name;
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final List<String[]> records = new ArrayList<>();
        final Map<String, List<Long>> sentAt = new LinkedHashMap<>();
        final Map<String, String> groupOf = new HashMap<>();
        final Set<String> instances = new HashSet<>();
        /** Records sent at a steady rate from the moment this batch is sent, measured with it. */
        Batch trickle;
        int uniqueRestores;
        private String firstId;
        private long restoreTime = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();

        Batch(String name) {
            this.name = name;
        }

        void valid(String instance, String group) {
            String id = name + "-" + run + "-" + records.size();
            add(instance, id, body(id, instance, "orders"), group);
            uniqueRestores++;
            firstId = firstId == null ? id : firstId;
        }

        /** The batch's first request again, same request_id. */
        void repeatFirst(String group) {
            String[] first = records.get(0);
            add(first[0], firstId, first[2], group);
        }

        /** The same restore as the first request (same business key) under a new request_id. */
        void sameRestoreNewId(String instance, String group) {
            String id = name + "-" + run + "-" + records.size();
            add(instance, id, body(id, instance, "orders"), group);
        }

        /** A record on that instance that breaks a rule (a table name with a #). */
        void invalid(String instance, int i, String group) {
            String id = name + "-" + run + "-" + records.size();
            add(instance, id, body(id, instance, "t#" + i), group);
        }

        private String body(String id, String instance, String table) {
            return """
                    {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                     "restore_tables": [{"database": "shop", "tables": [{"old_name": "%s", "new_name": "%s_back"}]}]}"""
                    .formatted(id, PROJECT, instance, restoreTime, table, "orders");
        }

        private void add(String instance, String id, String body, String group) {
            records.add(new String[] {instance, id, body});
            groupOf.put(id, group);
            instances.add(instance);
        }

        void send(RecordCollector topics) {
            for (String[] record : records) {
                sentAt.computeIfAbsent(record[1], k -> new ArrayList<>()).add(System.currentTimeMillis());
                topics.send(record[0], record[2]);
            }
            topics.flush();
        }

        /** Sends the records one by one at a steady rate (their send times are known once this returns). */
        void sendSteadily(RecordCollector topics, int perSecond) {
            long start = System.nanoTime();
            for (int i = 0; i < records.size(); i++) {
                long due = start + i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                String[] record = records.get(i);
                sentAt.computeIfAbsent(record[1], k -> new ArrayList<>()).add(System.currentTimeMillis());
                topics.send(record[0], record[2]);
                topics.flush();
            }
        }

        void absorb(Batch other) {
            other.sentAt.forEach((id, times) -> sentAt.computeIfAbsent(id, k -> new ArrayList<>()).addAll(times));
            groupOf.putAll(other.groupOf);
            instances.addAll(other.instances);
        }
    }
}
