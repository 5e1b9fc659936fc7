package io.gaussrestore.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged service (target/quarkus-app) running as a process of its own, as in production. */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    /** The JVM options of the services the tests start. */
    private static final List<String> TEST_JVM = List.of("-Xmx256m");

    private final long launchedAt = System.nanoTime();
    private volatile Duration readyAfter;

    private ServiceProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts the jar with the given environment (plus a free HTTP port unless given) and waits until it is ready. */
    public static ServiceProcess start(String name, Map<String, String> environment) throws Exception {
        return start(name, environment, TEST_JVM);
    }

    /** Starts the jar with these JVM options and waits until it is ready. */
    public static ServiceProcess start(String name, Map<String, String> environment, List<String> jvmOptions)
            throws Exception {
        ServiceProcess service = launch(name, environment, jvmOptions);
        service.awaitReady(Duration.ofSeconds(60));
        return service;
    }

    /** Starts the jar without waiting for readiness (a start that is expected to stay not ready). */
    public static ServiceProcess launch(String name, Map<String, String> environment) throws Exception {
        return launch(name, environment, TEST_JVM);
    }

    private static ServiceProcess launch(String name, Map<String, String> environment, List<String> jvmOptions)
            throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no packaged service at " + jar + "; run the tests with ./mvnw verify");
        }
        int port = environment.containsKey("QUARKUS_HTTP_PORT")
                ? Integer.parseInt(environment.get("QUARKUS_HTTP_PORT"))
                : freePort();
        int managementPort = freePort();
        Path log = Files.createDirectories(Path.of("target", "service-logs")).resolve(name + ".log");
        List<String> command = new java.util.ArrayList<>(List.of("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        return new ServiceProcess(builder.start(), port, managementPort, log);
    }

    /** The HTTP status of GET /q/health/ready on the management port, or -1 when nothing answers. */
    public int readiness() {
        return statusOf(managementUrl() + "/q/health/ready", Duration.ofSeconds(5));
    }

    /** The HTTP status of a GET of {@code url}, or -1 when nothing answers (not listening yet, or too slow). */
    static int statusOf(String url, Duration readTimeout) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout((int) readTimeout.toMillis());
            return connection.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** What a start that is expected to fail printed, and how it exited. */
    public record Exit(int code, String log) {}

    /** Starts the jar and waits for it to exit by itself (a start-up that must fail). */
    public static Exit runUntilExit(String name, Map<String, String> environment, Duration timeout) throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        Path log = Files.createDirectories(Path.of("target", "service-logs")).resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the service did not exit within " + timeout + "; see " + log);
        }
        return new Exit(process.exitValue(), Files.readString(log));
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited; see " + log + ":\n" + Files.readString(log));
            }
            if (statusOf(managementUrl() + "/q/health/ready", Duration.ofSeconds(2)) == 200) {
                readyAfter = Duration.ofNanos(System.nanoTime() - launchedAt);
                return;
            }
            Thread.sleep(50);
        }
        close(); // a service that never became ready is not left running after the test
        throw new IllegalStateException("the service was not ready within " + timeout + "; see " + log);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Health and metrics. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** Whether the process is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Where the process's output goes. */
    public Path logPath() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** From the launch of the JVM to the first ready answer (within 50 ms). */
    public Duration readyAfter() {
        return readyAfter;
    }

    /** CPU time the process has used so far, user and system (Linux: /proc). */
    public long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of the file (utime, stime) in clock ticks of 10 ms (USER_HZ is 100 on Linux).
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** Resident memory now, in MB (Linux: /proc). */
    public long residentMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid());
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        Commands.stop(process, 30);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
