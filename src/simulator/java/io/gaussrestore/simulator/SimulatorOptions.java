package io.gaussrestore.simulator;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How one simulator starts: its port, its initial behaviour, and the credentials it accepts. Read from settings
 * named like {@code job-duration}: the environment variable {@code SIMULATOR_JOB_DURATION} or the system property
 * {@code simulator.job-duration} for the standalone simulator, the configuration key {@code simulator.job-duration}
 * for the one the service's tests run in process. Every setting is described in {@code src/simulator/README.md}.
 *
 * @param host the address to listen on (127.0.0.1; 0.0.0.0 in a container)
 * @param port the HTTP port; 0 for any free one
 * @param acceptedTokens fixed X-Auth-Token values accepted besides the ones the simulated IAM issues
 * @param accessKeys access key id to secret key, for AK/SK signed calls
 * @param outageAtStart every call answers 503 for this long from the start; zero for none
 */
public record SimulatorOptions(String host, int port, SimulatorSettings settings, Set<String> acceptedTokens,
        Map<String, String> accessKeys, Duration outageAtStart) {

    public SimulatorOptions {
        acceptedTokens = Set.copyOf(acceptedTokens);
        accessKeys = Map.copyOf(accessKeys);
    }

    /** Reads every setting through {@code lookup} (by its short name), with the defaults for the absent ones. */
    public static SimulatorOptions from(Function<String, Optional<String>> lookup) {
        Settings read = new Settings(lookup);
        SimulatorSettings settings = new SimulatorSettings(
                read.duration("token-lifetime", "PT24H"),
                read.duration("job-duration", "PT30S"),
                read.share("job-failure-rate", "0"),
                read.duration("job-visibility-delay", "PT2S"),
                read.duration("restore-window", "P7D"),
                read.count("throttle-per-minute", "0"),
                read.duration("throttle-window", "PT1M"),
                read.duration("latency", "PT0S"),
                SimulatorSettings.parseErrorRates(read.text("error-rates", "none")),
                lookup.apply("iam-password").filter(value -> !value.isBlank()).orElse(null));
        Set<String> tokens = new LinkedHashSet<>(read.list("accepted-tokens", "local-dev-token"));
        Map<String, String> keys = new HashMap<>();
        for (String pair : read.list("access-keys", "")) {
            int colon = pair.indexOf(':');
            if (colon <= 0 || colon == pair.length() - 1) {
                throw new IllegalArgumentException("simulator setting access-keys takes AK:SK pairs separated by commas");
            }
            keys.put(pair.substring(0, colon), pair.substring(colon + 1));
        }
        return new SimulatorOptions(read.text("host", "127.0.0.1"), read.count("port", "8090"), settings, tokens, keys,
                read.duration("outage-at-start", "PT0S"));
    }

    /** The standalone simulator's settings: {@code SIMULATOR_*} environment variables, then system properties. */
    public static SimulatorOptions fromEnvironment(Map<String, String> environment) {
        return from(name -> {
            String variable = "SIMULATOR_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            return Optional.ofNullable(environment.get(variable))
                    .or(() -> Optional.ofNullable(System.getProperty("simulator." + name)));
        });
    }

    /** Reads one kind of value each, naming the setting when its value cannot be read. */
    private record Settings(Function<String, Optional<String>> lookup) {

        String text(String name, String fallback) {
            return lookup.apply(name).map(String::trim).filter(value -> !value.isEmpty()).orElse(fallback);
        }

        java.util.List<String> list(String name, String fallback) {
            return java.util.Arrays.stream(text(name, fallback).split(",")).map(String::trim)
                    .filter(value -> !value.isEmpty()).toList();
        }

        Duration duration(String name, String fallback) {
            return read(name, fallback, Duration::parse, value -> !value.isNegative(),
                    "an ISO-8601 duration of zero or more such as PT30S");
        }

        int count(String name, String fallback) {
            return read(name, fallback, Integer::parseInt, value -> value >= 0, "a whole number of zero or more");
        }

        double share(String name, String fallback) {
            return read(name, fallback, Double::parseDouble, value -> value >= 0 && value <= 1, "a share from 0 to 1");
        }

        /** The setting parsed and within bounds, or a failure that names it and says what it takes. */
        private <T> T read(String name, String fallback, Function<String, T> parse, Predicate<T> valid,
                String expected) {
            String text = text(name, fallback);
            T value;
            try {
                value = parse.apply(text);
            } catch (RuntimeException e) {
                value = null;
            }
            if (value == null || !valid.test(value)) {
                throw new IllegalArgumentException("simulator setting " + name + " is '" + text + "', not " + expected);
            }
            return value;
        }
    }
}
