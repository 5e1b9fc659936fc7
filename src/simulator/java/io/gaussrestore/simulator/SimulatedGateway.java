package io.gaussrestore.simulator;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The simulator's API gateway: per-API throttling windows, and the errors the settings inject. Used under the
 * simulator's lock only.
 */
final class SimulatedGateway {

    private final Map<String, Window> windows = new HashMap<>();

    /** Forgets every throttling window. */
    void clear() {
        windows.clear();
    }

    /**
     * The gateway's throttling: each API of each project has its own count in fixed windows (the first window
     * starts at the API's first call, the next ones follow it back to back); a call over the limit is refused
     * and does not count.
     */
    boolean throttled(String projectId, String operation, Instant now, SimulatorSettings settings) {
        int limit = settings.throttlePerMinute();
        if (limit <= 0) {
            return false;
        }
        long windowMillis = Math.max(1, settings.throttleWindow().toMillis());
        Window window = windows.computeIfAbsent(projectId + " " + operation, k -> new Window(now.toEpochMilli()));
        long elapsed = now.toEpochMilli() - window.start;
        if (elapsed >= windowMillis) {
            window.start += elapsed / windowMillis * windowMillis;
            window.calls = 0;
        }
        if (window.calls >= limit) {
            return true;
        }
        window.calls++;
        return false;
    }

    /** One API's current throttling window. */
    private static final class Window {
        long start;
        int calls;

        Window(long start) {
            this.start = start;
        }
    }

    /** The error status the settings' error rates draw for this call, if any. */
    static Optional<Integer> injectedStatus(SimulatorSettings settings, RandomGenerator random) {
        for (Map.Entry<Integer, Double> rate : settings.errorRates().entrySet()) {
            if (random.nextDouble() < rate.getValue()) {
                return Optional.of(rate.getKey());
            }
        }
        return Optional.empty();
    }

    /** The answer of an injected error, as the real API gives it. */
    static SimResponse injectedError(int status) {
        return switch (status) {
            case 429 -> SimResponse.error(429, "APIGW.0308",
                    "The throttling threshold has been reached: policy user over ratelimit,limit:0,time:1 minute");
            case 409 -> SimResponse.error(409, "DBS.200019",
                    "Another operation is being performed on the DB instance or the DB instance is faulty.");
            case 500 -> SimResponse.error(500, "DBS.108000", "Server failure.");
            case 400 -> SimResponse.error(400, "DBS.200001", "Parameter error.");
            default -> SimResponse.bare(status);
        };
    }
}
