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
        return new GaussDbSimulator(SimulatorSettings.from(sim), new HashSet<>(sim.acceptedTokens()),
                sim.iamPassword(), Clock.systemUTC(), new SecureRandom());
    }
}
