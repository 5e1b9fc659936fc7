package io.gaussrestore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test access to the real topics: sends request records and keeps every record of the result and dead-letter
 * topics seen since the run began, read by one background consumer.
 */
public final class TestTopics {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<ConsumerRecord<byte[], byte[]>> SEEN = new CopyOnWriteArrayList<>();
    private static KafkaProducer<byte[], byte[]> producer;
    private static Thread reader;

    private TestTopics() {}

    /** Sends one request record and waits for the broker's acknowledgement. */
    public static void send(String key, byte[] value, Map<String, String> headers) {
        send(key, value, headers, null);
    }

    /** Sends one request record with the given timestamp (null: the producer's clock). */
    public static synchronized void send(String key, byte[] value, Map<String, String> headers, Long timestamp) {
        producer();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(KafkaBroker.REQUESTS, null, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        headers.forEach((name, v) -> record.headers().add(new RecordHeader(name, v.getBytes(StandardCharsets.UTF_8))));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send the request record", e);
        }
    }

    /**
     * Sends many records at once (headers and key as raw bytes, any of them may be null) and answers where each
     * one landed, in order; waits for every acknowledgement.
     */
    public static synchronized List<org.apache.kafka.clients.producer.RecordMetadata> sendAll(
            List<ProducerRecord<byte[], byte[]>> records) {
        producer();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> record : records) {
            sent.add(producer.send(record));
        }
        List<org.apache.kafka.clients.producer.RecordMetadata> landed = new ArrayList<>();
        for (var future : sent) {
            try {
                landed.add(future.get());
            } catch (Exception e) {
                throw new IllegalStateException("could not send a record", e);
            }
        }
        return landed;
    }

    private static void producer() {
        startReader();
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }

    /** Every result and dead-letter record read so far. */
    public static List<ConsumerRecord<byte[], byte[]>> seen() {
        return List.copyOf(SEEN);
    }

    public static void send(String key, String value) {
        send(key, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Result records whose key is the given request_id, in topic order. */
    public static List<ConsumerRecord<byte[], byte[]>> results(String requestId) {
        byte[] key = requestId.getBytes(StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : SEEN) {
            if (record.topic().equals(KafkaBroker.RESULTS) && java.util.Arrays.equals(record.key(), key)) {
                found.add(record);
            }
        }
        return found;
    }

    /** The values of the results of a request, as JSON. */
    public static List<JsonNode> resultValues(String requestId) {
        return results(requestId).stream().map(TestTopics::json).toList();
    }

    /** Dead-letter records whose value equals the given bytes. */
    public static List<ConsumerRecord<byte[], byte[]>> deadLetters(byte[] value) {
        return SEEN.stream()
                .filter(r -> r.topic().equals(KafkaBroker.DLQ) && java.util.Arrays.equals(r.value(), value))
                .toList();
    }

    /** A header's value as text, or null. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static JsonNode json(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            throw new IllegalStateException("a result is not JSON: " + new String(record.value(), StandardCharsets.UTF_8), e);
        }
    }

    /** Starts reading the result and dead-letter topics (from their start), if not yet. */
    public static synchronized void startReader() {
        if (reader != null) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(KafkaBroker.RESULTS, KafkaBroker.DLQ));
        reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                consumer.poll(Duration.ofMillis(200)).forEach(SEEN::add);
            }
        }, "test-topic-reader");
        reader.setDaemon(true);
        reader.start();
    }
}
