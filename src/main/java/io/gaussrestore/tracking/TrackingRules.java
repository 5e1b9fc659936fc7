package io.gaussrestore.tracking;

import io.gaussrestore.config.RestoreConfig;
import java.time.Duration;

/** The limits of job tracking, as plain values for the pure decision. */
public record TrackingRules(Duration interval, double jitter, Duration notFoundGrace, Duration deadline) {

    public static TrackingRules from(RestoreConfig.Tracking config) {
        return new TrackingRules(config.interval(), config.jitter(), config.notFoundGrace(), config.deadline());
    }
}
