package io.gaussrestore.simulator;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * The simulator as a process of its own (the local stack, the drills, the benchmark): reads its settings from
 * {@code SIMULATOR_*} environment variables (see {@code src/simulator/README.md}), serves until stopped.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        SimulatorOptions options;
        try {
            options = SimulatorOptions.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("the simulator cannot start: " + e.getMessage());
            System.exit(64);
            return;
        }
        GaussDbSimulator simulator = create(options);
        SimulatorServer server = SimulatorServer.start(simulator, options.settings(), options.host(), options.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "simulator-stop"));
        System.out.println("GaussDB simulator listening on " + options.host() + ":" + server.port());
    }

    /** A simulator as {@code options} describe it, on the system clock. */
    public static GaussDbSimulator create(SimulatorOptions options) {
        GaussDbSimulator simulator = new GaussDbSimulator(options.settings(), options.acceptedTokens(),
                options.accessKeys(), Clock.systemUTC(), new SecureRandom());
        if (!options.outageAtStart().isZero()) {
            simulator.startOutage(options.outageAtStart());
        }
        return simulator;
    }
}
