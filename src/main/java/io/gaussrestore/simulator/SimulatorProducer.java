package io.gaussrestore.simulator;

import io.gaussrestore.config.RestoreConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;

/** Builds the one simulator of this process from the configuration. */
public class SimulatorProducer {

    @Produces
    @Singleton
    GaussDbSimulator simulator(RestoreConfig config) {
        RestoreConfig.Simulator sim = config.simulator();
        java.util.Map<String, String> keys = new java.util.HashMap<>();
        for (String pair : sim.accessKeys().orElse(java.util.List.of())) {
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("restore.simulator.access-keys takes AK:SK pairs");
            }
            keys.put(pair.substring(0, colon), pair.substring(colon + 1));
        }
        GaussDbSimulator simulator = new GaussDbSimulator(SimulatorSettings.from(sim), new HashSet<>(sim.acceptedTokens()),
                keys, Clock.systemUTC(), new SecureRandom());
        if (!sim.outageAtStart().isZero()) {
            simulator.startOutage(sim.outageAtStart());
        }
        return simulator;
    }
}
