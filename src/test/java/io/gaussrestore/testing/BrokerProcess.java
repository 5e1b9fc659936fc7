package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        Path dir = KraftJvm.directory("drill-");
        int port = ServiceProcess.freePort();
        int controller = ServiceProcess.freePort();
        KraftJvm.writeSettings(dir, controller, List.of(
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port));
        KraftJvm.format(dir);
        BrokerProcess broker = new BrokerProcess(dir, port);
        broker.restart();
        return broker;
    }

    /** Starts the broker (again) on its log directory and waits until it answers. */
    public void restart() throws Exception {
        process = KraftJvm.launch(dir);
        KraftJvm.awaitReady(process, dir, bootstrap(), Duration.ofSeconds(90), admin -> {
            admin.listTopics().names().get(3, TimeUnit.SECONDS);
            if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                throw new IllegalStateException("no broker in the cluster yet");
            }
        });
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
        KraftJvm.stop(process);
    }
}
