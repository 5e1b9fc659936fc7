package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * Fault injection and the call journal of the simulator, under {@code /simulator}: for tests, benchmarks, drills
 * and demonstrations. Each route answers JSON; a bad parameter is a 400 that says what is expected.
 */
final class SimulatorAdmin {

    /** What a route answers: a status and a JSON body, or none. */
    record Answer(int status, JsonNode body) {
        static Answer ok(Object value) {
            return new Answer(200, SimulatorServer.JSON.valueToTree(value));
        }

        static Answer bad(String message) {
            return new Answer(400, JsonNodeFactory.instance.objectNode().put("error", message));
        }
    }

    private static final java.util.Set<String> ROUTES = java.util.Set.of("/simulator", "/simulator/settings",
            "/simulator/outage", "/simulator/lost-answers", "/simulator/tokens/revoke", "/simulator/journal");

    private final GaussDbSimulator simulator;
    private final SimulatorSettings initial;

    SimulatorAdmin(GaussDbSimulator simulator, SimulatorSettings initial) {
        this.simulator = simulator;
        this.initial = initial;
    }

    Answer handle(String method, String path, Map<String, String> query, byte[] body) {
        String route = method + " " + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        return switch (route) {
            case "GET /simulator/settings" -> Answer.ok(simulator.settings());
            case "PATCH /simulator/settings" -> update(body);
            case "POST /simulator/outage" -> outage(query.get("seconds"));
            case "POST /simulator/lost-answers" -> loseAnswers(query);
            case "POST /simulator/tokens/revoke" -> Answer.ok(Map.of("revoked", simulator.revokeTokens()));
            case "GET /simulator/journal" -> Answer.ok(simulator.journal());
            case "DELETE /simulator" -> {
                simulator.reset(initial);
                yield new Answer(204, null);
            }
            default -> ROUTES.contains(route.substring(route.indexOf(' ') + 1))
                    ? new Answer(405, JsonNodeFactory.instance.objectNode().put("error", method + " is not served here"))
                    : new Answer(404, JsonNodeFactory.instance.objectNode().put("error", "no such simulator route"));
        };
    }

    /** Changes some settings: latency, error_rates, throttle_per_minute, job_duration, job_failure_rate... */
    private Answer update(byte[] body) {
        SimulatorSettings.Patch patch;
        try {
            patch = body.length == 0 ? null : SimulatorServer.JSON.readValue(body, SimulatorSettings.Patch.class);
        } catch (IOException e) {
            patch = null;
        }
        if (patch == null) {
            return Answer.bad("a JSON object of settings is required");
        }
        return Answer.ok(simulator.update(patch));
    }

    /** Every call answers 503 for the given number of seconds. */
    private Answer outage(String seconds) {
        int length;
        try {
            length = Integer.parseInt(seconds == null ? "" : seconds);
        } catch (NumberFormatException e) {
            length = 0;
        }
        if (length <= 0) {
            return Answer.bad("seconds must be a positive number");
        }
        return Answer.ok(Map.of("until", simulator.startOutage(Duration.ofSeconds(length))));
    }

    /**
     * A share of restore POSTs loses its answer: held for {@code hold} (ISO-8601, longer than the caller's read
     * time-out), then 504, {@code before} without acting or {@code after} the job started. Zeros end it.
     */
    private Answer loseAnswers(Map<String, String> query) {
        try {
            double before = Double.parseDouble(query.getOrDefault("before", "0"));
            double after = Double.parseDouble(query.getOrDefault("after", "0"));
            Duration hold = query.containsKey("hold") ? Duration.parse(query.get("hold")) : Duration.ofSeconds(40);
            simulator.loseAnswers(before, after, hold);
            return Answer.ok(Map.of("before", before, "after", after, "hold", hold.toString()));
        } catch (RuntimeException e) {
            return Answer.bad("before and after are shares from 0 to 1 adding up to at most 1; "
                    + "hold is an ISO-8601 duration such as PT40S");
        }
    }
}
