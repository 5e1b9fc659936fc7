package io.gaussrestore.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka broker for the whole test run: the one named by KAFKA_BOOTSTRAP_SERVERS if set, else a
 * Testcontainers broker where a Docker engine answers, else a single-node KRaft broker inside the test JVM.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {

    public static final String REQUESTS = "gaussdb-restore-requests";
    public static final String RESULTS = "gaussdb-restore-results";
    public static final String DLQ = "gaussdb-restore-requests-dlq";
    public static final int REQUEST_PARTITIONS = 3;

    private static String bootstrapServers;

    @Override
    public synchronized Map<String, String> start() {
        if (bootstrapServers == null) {
            bootstrapServers = startBroker();
            createTopics(bootstrapServers);
        }
        return Map.of("kafka.bootstrap.servers", bootstrapServers);
    }

    @Override
    public void stop() {
        // The broker lives as long as the test JVM; a shutdown hook closes an embedded one.
    }

    /** The address of the broker, once started. */
    public static String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("the Kafka broker has not been started");
        }
        return bootstrapServers;
    }

    private static String startBroker() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return external;
        }
        if (dockerAnswers()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.2");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return container.getBootstrapServers();
        }
        return startEmbedded();
    }

    /** Whether a Docker engine is configured and answers. */
    public static boolean dockerAnswers() {
        boolean configured = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
        if (!configured) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String startEmbedded() {
        try {
            Path base = Files.createDirectories(Path.of("target", "kafka"));
            Path dir = Files.createTempDirectory(base, "broker-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(dir.toAbsolutePath())
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("offsets.topic.num.partitions", "5")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception e) {
                    // the JVM is ending; nothing left to clean up
                }
            }));
            return cluster.bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        }
    }

    private static void createTopics(String servers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(props)) {
            KraftJvm.createTopicsIfAbsent(admin, List.of(new NewTopic(REQUESTS, REQUEST_PARTITIONS, (short) 1),
                    new NewTopic(RESULTS, 3, (short) 1), new NewTopic(DLQ, 1, (short) 1)), Duration.ofMinutes(1));
        } catch (Exception e) {
            throw new IllegalStateException("could not create the test topics", e);
        }
    }
}
