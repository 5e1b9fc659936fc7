package io.gaussrestore.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, headless: a real broker in its own JVM, the service in the local profile, the
 * example request through to its result, and nothing left running afterwards.
 */
class LocalStackSmokeIT {

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void theExampleRequestReachesItsResultAndEverythingStops() throws Exception {
        Path stackDir = Path.of("target", "smoke-stack").toAbsolutePath();
        List<Integer> ports = List.of(freePort(), freePort(), freePort(), freePort(), freePort());
        ProcessBuilder builder = new ProcessBuilder("bash", "deploy/local-stack.sh", "--headless", "--no-build")
                .redirectErrorStream(true);
        builder.environment().put("LOCAL_STACK_DIR", stackDir.toString());
        builder.environment().put("LOCAL_KAFKA_PORT", ports.get(0).toString());
        builder.environment().put("LOCAL_CONTROLLER_PORT", ports.get(1).toString());
        builder.environment().put("LOCAL_HTTP_PORT", ports.get(2).toString());
        builder.environment().put("LOCAL_MANAGEMENT_PORT", ports.get(3).toString());
        builder.environment().put("LOCAL_SIMULATOR_PORT", ports.get(4).toString());
        builder.environment().put("SIMULATOR_JOB_DURATION", "PT8S");
        long start = System.nanoTime();
        Process stack = builder.start();
        byte[] output = stack.getInputStream().readAllBytes();
        boolean ended = stack.waitFor(5, TimeUnit.MINUTES);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String log = new String(output, StandardCharsets.UTF_8);
        System.out.println(log);
        System.out.println("local stack, headless, took " + took.toMillis() + " ms");

        assertThat(ended).as("the headless stack ends by itself").isTrue();
        assertThat(stack.exitValue()).as(log).isZero();
        assertThat(log).as("the simulator is a process of its own")
                .contains("starting the GaussDB simulator on http://127.0.0.1:" + ports.get(4));
        assertThat(log).contains("SUBMITTED").contains("\"job_id\"").contains("RUNNING").contains("COMPLETED");
        assertThat(log.indexOf("SUBMITTED")).isLessThan(log.indexOf("RUNNING"));
        assertThat(log.indexOf("RUNNING")).isLessThan(log.indexOf("COMPLETED"));
        String key = Files.readString(stackDir.resolve("api-key")).strip();
        assertThat(key).hasSize(64);
        assertThat(log).as("the stack prints its local key").contains("local API key (this stack only, new at each start): " + key);
        assertThat(log).as("and where the console is").contains("console: http://localhost:" + ports.get(2) + "/console");
        assertThat(Files.readString(stackDir.resolve("api-keys"))).as("the service gets only the hash")
                .doesNotContain(key).startsWith("sha256:").contains("local-operator");
        assertThat(log).as("the HTTP door takes the local key").contains("POST /restores: HTTP 202")
                .contains("\"requested_by\":\"local-operator\"").contains("DUPLICATE");
        String[] pids = Files.readString(stackDir.resolve("pids")).trim().split(" ");
        assertThat(pids).as("broker, service and simulator").hasSize(3);
        for (long pid : Arrays.stream(pids).mapToLong(Long::parseLong).toArray()) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("process %d is gone", pid).isFalse();
        }
        for (int port : ports) {
            assertThat(listening(port)).as("nothing listens on %d any more", port).isFalse();
        }
        assertThat(stackDir.resolve("stack.env")).doesNotExist();
    }
}
