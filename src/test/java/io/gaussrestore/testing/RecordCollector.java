package io.gaussrestore.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics of one test of their own, a producer for requests and a collector of every result and dead letter. */
public final class RecordCollector implements AutoCloseable {

    public final String requests;
    public final String results;
    public final String deadLetters;
    private final List<ConsumerRecord<byte[], byte[]>> seen = new CopyOnWriteArrayList<>();
    private final KafkaProducer<String, String> producer;
    private final Thread reader;
    private volatile boolean running = true;

    public RecordCollector(String bootstrap, String prefix, int partitions) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        requests = prefix + "-requests-" + suffix;
        results = prefix + "-results-" + suffix;
        deadLetters = prefix + "-dlq-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(requests, partitions, (short) 1), new NewTopic(results, 3, (short) 1),
                    new NewTopic(deadLetters, 1, (short) 1))).all().get();
        }
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", bootstrap);
        producerProps.put("acks", "all");
        producerProps.put("linger.ms", "5");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        Properties consumerProps = new Properties();
        consumerProps.put("bootstrap.servers", bootstrap);
        consumerProps.put("group.id", "collector-" + suffix);
        consumerProps.put("auto.offset.reset", "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(results, deadLetters));
        reader = new Thread(() -> {
            try (consumer) {
                while (running) {
                    try {
                        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                    } catch (org.apache.kafka.common.errors.WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                        return;
                    } catch (RuntimeException e) {
                        // A broker that went away (a drill kills it) must not end the collection.
                        System.err.println("result collector: " + e);
                    }
                }
            }
        }, "collector-" + suffix);
        reader.setDaemon(true);
        reader.start();
    }

    /** The environment that points a service process at these topics. */
    public Map<String, String> environment() {
        return Map.of("RESTORE_REQUESTS_TOPIC", requests, "RESTORE_RESULTS_TOPIC", results, "RESTORE_DLQ_TOPIC", deadLetters);
    }

    public void send(String key, String value) {
        producer.send(new ProducerRecord<>(requests, key, value));
    }

    public void flush() {
        producer.flush();
    }

    public List<ConsumerRecord<byte[], byte[]>> results() {
        return seen.stream().filter(r -> r.topic().equals(results)).toList();
    }

    /** Records the service wrote to the dead-letter topic. */
    public List<ConsumerRecord<byte[], byte[]>> deadLetterRecords() {
        return seen.stream().filter(r -> r.topic().equals(deadLetters)).toList();
    }

    public static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(5000);
        producer.close();
    }
}
