package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A Kafka broker in its own JVM whose client listener requires SASL_SSL with SCRAM-SHA-512, as a Strimzi cluster
 * with a KafkaUser does. A second, plain listener on loopback lets the test itself create topics and read
 * results. The TLS key pair is made by the JDK's keytool; the SCRAM user is written at format time.
 */
public record ScramBroker(Process process, Path dir, int saslPort, int plainPort) implements AutoCloseable {

    public static final String USER = "gaussdb-restore";
    public static final String STORE_PASSWORD = "test-store-password";

    /** Formats and starts the broker with one SCRAM user, then creates the service's topics. */
    public static ScramBroker start(String password) throws Exception {
        Path dir = KraftJvm.directory("scram-");
        keytool(dir, "-genkeypair", "-keystore", dir.resolve("broker.p12").toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2");
        keytool(dir, "-exportcert", "-keystore", dir.resolve("broker.p12").toString(), "-storepass", STORE_PASSWORD,
                "-alias", "broker", "-rfc", "-file", dir.resolve("ca.crt").toString());
        int sasl = ServiceProcess.freePort();
        int plain = ServiceProcess.freePort();
        int controller = ServiceProcess.freePort();
        KraftJvm.writeSettings(dir, controller, List.of(
                "listeners=PLAIN://127.0.0.1:" + plain + ",CLIENTS://127.0.0.1:" + sasl + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAIN://127.0.0.1:" + plain + ",CLIENTS://127.0.0.1:" + sasl,
                "listener.security.protocol.map=PLAIN:PLAINTEXT,CLIENTS:SASL_SSL,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAIN",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.clients.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.clients.ssl.keystore.type=PKCS12",
                "listener.name.clients.ssl.keystore.location=" + dir.resolve("broker.p12"),
                "listener.name.clients.ssl.keystore.password=" + STORE_PASSWORD));
        KraftJvm.format(dir, "--add-scram", "SCRAM-SHA-512=[name=" + USER + ",password=" + password + "]");
        Process broker = KraftJvm.launch(dir);
        ScramBroker started = new ScramBroker(broker, dir, sasl, plain);
        KraftJvm.awaitReady(broker, dir, started.plainBootstrap(), Duration.ofSeconds(60), admin ->
                KraftJvm.createTopicsIfAbsent(admin, List.of(new NewTopic(KafkaBroker.REQUESTS, 1, (short) 1),
                        new NewTopic(KafkaBroker.RESULTS, 1, (short) 1), new NewTopic(KafkaBroker.DLQ, 1, (short) 1)),
                        Duration.ofSeconds(10)));
        return started;
    }

    /** The SASL_SSL listener, for the service. */
    public String saslBootstrap() {
        return "127.0.0.1:" + saslPort;
    }

    /** The plain loopback listener, for the test's own clients. */
    public String plainBootstrap() {
        return "127.0.0.1:" + plainPort;
    }

    /** The broker's certificate, which clients trust (PEM). */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The KAFKA_* variables a deployment sets for SASL_SSL with SCRAM-SHA-512. */
    public Map<String, String> clientEnvironment(String password) {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", saslBootstrap(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"" + USER + "\" password=\"" + password + "\";",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", caCertificate().toString());
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "command", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " " + command.get(1) + " failed: " + Files.readString(out));
        }
    }

    @Override
    public void close() throws InterruptedException {
        KraftJvm.stop(process);
    }
}
