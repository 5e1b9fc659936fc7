package io.gaussrestore.testing;

import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.SimulatorMain;
import io.gaussrestore.simulator.SimulatorOptions;
import io.gaussrestore.simulator.SimulatorServer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The GaussDB simulator of the Quarkus tests, in the test application's own JVM: every test application that
 * starts serves a fresh one on {@link #URL}, built from its {@code simulator.*} configuration keys (the profile's
 * overrides, named as in {@code src/simulator/README.md}), and its tests may inject it to drive it or read its
 * journal. Like the tests' HTTP port, the port is one per test JVM: one Quarkus test application runs in it at a time.
 */
@ApplicationScoped
public class InProcessSimulator {

    /** 8091 in the first test JVM, 8092 in the second (the build sets test.simulator.port per JVM). */
    public static final int PORT = Integer.getInteger("test.simulator.port", 8091);
    /** The simulator's base URL, for {@code restore.gaussdb.endpoint} and {@code restore.auth.iam-endpoint}. */
    public static final String URL = "http://127.0.0.1:" + PORT;

    private SimulatorServer server;

    void start(@Observes @Priority(1) StartupEvent started) throws IOException {
        SimulatorOptions options = SimulatorOptions.from(
                name -> ConfigProvider.getConfig().getOptionalValue("simulator." + name, String.class));
        server = SimulatorServer.start(SimulatorMain.create(options), options.settings(), PORT);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (server != null) {
            server.close();
        }
    }

    @Produces
    @Dependent
    GaussDbSimulator simulator() {
        return server.simulator();
    }
}
