package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * What the brokers the tests run in JVMs of their own share: single-node KRaft settings, formatting the log
 * directory, starting the JVM, and waiting until an admin call succeeds.
 */
final class KraftJvm {

    /** An admin call that succeeds once the broker is ready. */
    interface ReadyCheck {
        void check(Admin admin) throws Exception;
    }

    private KraftJvm() {}

    /** A fresh directory under target/kafka for one broker. */
    static Path directory(String prefix) throws Exception {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), prefix).toAbsolutePath();
    }

    /** Writes server.properties: the listener lines given, then what every single-node test broker needs. */
    static Path writeSettings(Path dir, int controllerPort, List<String> listenerLines) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER"));
        lines.addAll(listenerLines);
        lines.addAll(List.of(
                "log.dirs=" + dir.resolve("logs"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false", ""));
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n", lines));
        return props;
    }

    /** Formats the log directory with a new cluster id; {@code extra} are more StorageTool arguments. */
    static void format(Path dir, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                "-c", dir.resolve("server.properties").toString()));
        command.addAll(List.of(extra));
        Path out = dir.resolve("format.out");
        Process format = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the broker failed: " + Files.readString(out));
        }
    }

    /** Starts the broker JVM on its directory, appending its output to broker.out. */
    static Process launch(Path dir) throws Exception {
        return new ProcessBuilder("java", "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
                .start();
    }

    /**
     * Creates the topics that do not exist yet: a ready check retried after a time-out may find the ones its first
     * attempt created after all.
     */
    static void createTopicsIfAbsent(Admin admin, List<NewTopic> topics, Duration timeout) throws Exception {
        for (NewTopic topic : topics) {
            try {
                admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /** Retries {@code check} against the broker until it succeeds; fails if the broker dies or the time runs out. */
    static void awaitReady(Process process, Path dir, String bootstrap, Duration timeout, ReadyCheck check)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("default.api.timeout.ms", "5000");
        props.put("request.timeout.ms", "3000");
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker stopped: " + Files.readString(dir.resolve("broker.out")));
            }
            try (Admin admin = Admin.create(props)) {
                check.check(admin);
                return;
            } catch (Exception notYet) {
                if (Instant.now().isAfter(deadline)) {
                    stop(process); // a broker that never became ready is not left running after the test
                    throw new IllegalStateException("the broker was not ready within " + timeout, notYet);
                }
            }
            Thread.sleep(300);
        }
    }

    /** Stops the JVM gently, then forcibly. */
    static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
