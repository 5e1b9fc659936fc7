package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The GaussDB simulator as a process of its own, from the build's {@code target/simulator/} as the local stack
 * runs it: the cloud of the tests that run the service jar. Its jobs outlive any one service process.
 */
public record SimulatorProcess(Process process, int port, Path log) implements AutoCloseable {

    /** Starts a simulator whose jobs run {@code jobDuration} and waits until it answers. */
    public static SimulatorProcess start(String name, Duration jobDuration) throws Exception {
        Path directory = Path.of("target", "simulator");
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException("no simulator at " + directory + "; run the tests with ./mvnw verify");
        }
        int port = ServiceProcess.freePort();
        Path log = Files.createDirectories(Path.of("target", "service-logs")).resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of("java", "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", directory + "/*", "io.gaussrestore.simulator.SimulatorMain"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SIMULATOR_PORT", Integer.toString(port));
        builder.environment().put("SIMULATOR_JOB_DURATION", jobDuration.toString());
        builder.environment().put("SIMULATOR_JOB_VISIBILITY_DELAY", "PT1S");
        SimulatorProcess simulator = new SimulatorProcess(builder.start(), port, log);
        simulator.awaitAnswer(Duration.ofSeconds(30));
        return simulator;
    }

    private void awaitAnswer(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the simulator exited; see " + log + ":\n" + Files.readString(log));
            }
            if (ServiceProcess.statusOf(baseUrl() + "/simulator/settings", Duration.ofSeconds(2)) == 200) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("the simulator did not answer within " + timeout + "; see " + log);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        Commands.stop(process, 10);
    }
}
