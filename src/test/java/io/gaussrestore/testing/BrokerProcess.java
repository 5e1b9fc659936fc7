package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * A single-node KRaft broker in a JVM of its own, so that a drill can SIGKILL it and start it again on the same
 * log directory and port, as an operator would after a crash.
 */
public final class BrokerProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private BrokerProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Formats a fresh log directory and starts the broker. */
    public static BrokerProcess start() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "drill-")
                .toAbsolutePath();
        int port = ServiceProcess.freePort();
        int controller = ServiceProcess.freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + dir.resolve("logs"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false", ""));
        Process format = new ProcessBuilder("java", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                "-c", props.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("format.out").toFile())
                .start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting the broker failed: " + Files.readString(dir.resolve("format.out")));
        }
        BrokerProcess broker = new BrokerProcess(dir, port);
        broker.restart();
        return broker;
    }

    /** Starts the broker (again) on its log directory and waits until it answers. */
    public void restart() throws Exception {
        process = new ProcessBuilder("java", "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap());
        props.put("default.api.timeout.ms", "3000");
        props.put("request.timeout.ms", "2000");
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker stopped: " + Files.readString(dir.resolve("broker.out")));
            }
            try (Admin admin = Admin.create(props)) {
                admin.listTopics().names().get(3, TimeUnit.SECONDS);
                if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the broker did not answer within 90 s", notYet);
                }
            }
            Thread.sleep(300);
        }
    }

    /** SIGKILL: no flush, no controlled shutdown. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public List<String> logTail() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("broker.out"));
        return lines.subList(Math.max(0, lines.size() - 20), lines.size());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
