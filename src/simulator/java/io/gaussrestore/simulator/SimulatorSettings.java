package io.gaussrestore.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulator's behaviour and faults; changed at run time through the admin endpoint.
 *
 * @param errorRates HTTP status to the share of calls answered with it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SimulatorSettings(
        Duration tokenLifetime, Duration jobDuration, double jobFailureRate, Duration jobVisibilityDelay,
        Duration restoreWindow, int throttlePerMinute, Duration throttleWindow, Duration latency,
        Map<Integer, Double> errorRates,
        @JsonProperty(value = "iam_password", access = JsonProperty.Access.WRITE_ONLY) String iamPassword) {

    public SimulatorSettings {
        errorRates = Map.copyOf(errorRates == null ? Map.of() : errorRates);
    }

    /** Reads {@code 500=0.1,503=0.05}; {@code none} or blank gives no injected errors. */
    public static Map<Integer, Double> parseErrorRates(String text) {
        Map<Integer, Double> rates = new TreeMap<>();
        if (text == null || text.isBlank() || text.trim().equals("none")) {
            return rates;
        }
        for (String pair : text.split(",")) {
            String[] parts = pair.trim().split("=");
            if (parts.length != 2) {
                throw new IllegalArgumentException("error rate '" + pair + "' is not status=rate");
            }
            int status = Integer.parseInt(parts[0].trim());
            double rate = Double.parseDouble(parts[1].trim());
            if (status < 400 || status > 599 || rate < 0 || rate > 1) {
                throw new IllegalArgumentException("error rate '" + pair + "' needs a 4xx/5xx status and a rate from 0 to 1");
            }
            rates.put(status, rate);
        }
        return rates;
    }

    /** A copy with some fields replaced: the non-null ones of the patch. */
    public SimulatorSettings with(SimulatorSettings.Patch patch) {
        return new SimulatorSettings(
                patch.tokenLifetime() != null ? patch.tokenLifetime() : tokenLifetime,
                patch.jobDuration() != null ? patch.jobDuration() : jobDuration,
                patch.jobFailureRate() != null ? patch.jobFailureRate() : jobFailureRate,
                patch.jobVisibilityDelay() != null ? patch.jobVisibilityDelay() : jobVisibilityDelay,
                patch.restoreWindow() != null ? patch.restoreWindow() : restoreWindow,
                patch.throttlePerMinute() != null ? patch.throttlePerMinute() : throttlePerMinute,
                patch.throttleWindow() != null ? patch.throttleWindow() : throttleWindow,
                patch.latency() != null ? patch.latency() : latency,
                patch.errorRates() != null ? patch.errorRates() : errorRates,
                patch.iamPassword() != null ? patch.iamPassword() : iamPassword);
    }

    /** A partial change of the settings, as sent to the admin endpoint; absent fields stay as they are. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Patch(
            Duration tokenLifetime, Duration jobDuration, Double jobFailureRate, Duration jobVisibilityDelay,
            Duration restoreWindow, Integer throttlePerMinute, Duration throttleWindow, Duration latency,
            Map<Integer, Double> errorRates, String iamPassword) {

        /** A patch of the fault settings only. */
        public Patch(Duration tokenLifetime, Duration jobDuration, Double jobFailureRate, Duration jobVisibilityDelay,
                Duration restoreWindow, Integer throttlePerMinute, Duration latency, Map<Integer, Double> errorRates) {
            this(tokenLifetime, jobDuration, jobFailureRate, jobVisibilityDelay, restoreWindow, throttlePerMinute,
                    null, latency, errorRates, null);
        }
    }
}
