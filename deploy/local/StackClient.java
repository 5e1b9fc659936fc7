import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The local stack's Kafka client, run as a single source file on the broker's classpath:
 * <pre>
 *   create-topics BOOTSTRAP REQUESTS RESULTS DLQ
 *   request BOOTSTRAP REQUESTS RESULTS FILE UNTIL TIMEOUT_SECONDS
 * </pre>
 * {@code request} sends the JSON in FILE (keyed by its instance_id), then prints each result of its request_id
 * as it arrives, until a status listed in UNTIL (comma-separated) or the timeout. Exit codes: 0 reached,
 * 2 ended in another final status, 3 timed out.
 */
public class StackClient {

    private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "REJECTED", "DUPLICATE", "UNKNOWN",
            "DRY_RUN", "CANCELLED");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "create-topics" -> createTopics(args);
            case "request" -> System.exit(request(args));
            case "http" -> System.exit(http(args));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: create-topics BOOTSTRAP REQUESTS RESULTS DLQ | request BOOTSTRAP REQUESTS RESULTS FILE UNTIL TIMEOUT_SECONDS"
                + " | http BASE_URL KEY_FILE BOOTSTRAP RESULTS FILE UNTIL TIMEOUT_SECONDS");
        System.exit(64);
    }

    private static void createTopics(String[] args) throws Exception {
        if (args.length != 5) {
            usage();
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[1]))) {
            for (NewTopic topic : List.of(new NewTopic(args[2], 3, (short) 1), new NewTopic(args[3], 3, (short) 1),
                    new NewTopic(args[4], 1, (short) 1))) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    System.out.println("created topic " + topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    System.out.println("topic " + topic.name() + " exists");
                }
            }
        }
    }

    private static int request(String[] args) throws Exception {
        if (args.length != 7) {
            usage();
        }
        String bootstrap = args[1];
        String body = Files.readString(Path.of(args[4]), StandardCharsets.UTF_8);
        Set<String> until = Set.of(args[5].toUpperCase().split(","));
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[6]));
        String requestId = field(body, "request_id");
        if (requestId == null) {
            System.err.println("the request has no request_id; add one so that its results can be followed");
            return 64;
        }
        Instant sentAt = Instant.now();
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", bootstrap);
        producerProps.put("acks", "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(args[2], field(body, "instance_id"), body)).get();
            System.out.printf("%s sent request %s to %s-%d@%d%n", now(), requestId, sent.topic(), sent.partition(), sent.offset());
        }
        return follow(bootstrap, args[3], requestId, sentAt.minusSeconds(5), until, timeout);
    }

    /** POST /restores with the API key read from KEY_FILE (never printed), then the results as for request. */
    private static int http(String[] args) throws Exception {
        if (args.length != 8) {
            usage();
        }
        String key = Files.readString(Path.of(args[2]), StandardCharsets.UTF_8).strip();
        String body = Files.readString(Path.of(args[5]), StandardCharsets.UTF_8);
        Set<String> until = Set.of(args[6].toUpperCase().split(","));
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[7]));
        String requestId = field(body, "request_id");
        if (requestId == null) {
            System.err.println("the request has no request_id; add one so that its results can be followed");
            return 64;
        }
        Instant sentAt = Instant.now();
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(args[1] + "/restores"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Key", key)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        System.out.printf("%s POST /restores: HTTP %d %s%n", now(), answer.statusCode(), answer.body());
        if (answer.statusCode() != 202 && answer.statusCode() != 403) {
            return 1;
        }
        return follow(args[3], args[4], requestId, sentAt.minusSeconds(5), until, timeout);
    }

    private static int follow(String bootstrap, String topic, String requestId, Instant from, Set<String> until,
            Duration timeout) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp offset = offsets.get(partition);
                if (offset == null) {
                    consumer.seekToEnd(List.of(partition));
                } else {
                    consumer.seek(partition, offset.offset());
                }
            }
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
                    if (!requestId.equals(record.key())) {
                        continue;
                    }
                    String status = field(record.value(), "status");
                    String progress = field(record.value(), "progress");
                    System.out.printf("%s %-9s %-4s %s%n", now(), status, progress == null ? "" : progress, record.value());
                    if (status != null && until.contains(status)) {
                        return 0;
                    }
                    if (status != null && FINAL.contains(status)) {
                        return 2;
                    }
                }
            }
            System.out.printf("%s no result %s for %s within %d s%n", now(), until, requestId, timeout.toSeconds());
            return 3;
        }
    }

    /** The text value of a top-level string field; enough for the flat fields this client reads. */
    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String now() {
        return LocalTime.now(ZoneId.systemDefault()).format(TIME);
    }
}
