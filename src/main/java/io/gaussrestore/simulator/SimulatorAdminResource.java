package io.gaussrestore.simulator;

import io.gaussrestore.config.RestoreConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fault injection and the call journal of the simulator, for tests, benchmarks and demonstrations. */
@Path("/simulator")
@SimulatorEndpoint
// The simulator stands in for the cloud and checks its own X-Auth-Token; it is never on in production.
@jakarta.annotation.security.PermitAll
@Produces(MediaType.APPLICATION_JSON)
public class SimulatorAdminResource {

    private final GaussDbSimulator simulator;
    private final SimulatorSettings initial;

    SimulatorAdminResource(GaussDbSimulator simulator, RestoreConfig config) {
        this.simulator = simulator;
        this.initial = SimulatorSettings.from(config.simulator());
    }

    @GET
    @Path("/settings")
    public SimulatorSettings settings() {
        return simulator.settings();
    }

    /** Changes some settings: latency, error_rates, throttle_per_minute, job_duration, job_failure_rate... */
    @PATCH
    @Path("/settings")
    @Consumes(MediaType.APPLICATION_JSON)
    public SimulatorSettings update(SimulatorSettings.Patch patch) {
        if (patch == null) {
            throw new WebApplicationException("a JSON object of settings is required", Response.Status.BAD_REQUEST);
        }
        return simulator.update(patch);
    }

    /** Every call answers 503 for the given number of seconds. */
    @POST
    @Path("/outage")
    public Map<String, Instant> outage(@QueryParam("seconds") int seconds) {
        if (seconds <= 0) {
            throw new WebApplicationException("seconds must be a positive number", Response.Status.BAD_REQUEST);
        }
        return Map.of("until", simulator.startOutage(Duration.ofSeconds(seconds)));
    }

    /**
     * A share of restore POSTs loses its answer: held for {@code hold} (ISO-8601, longer than the caller's read
     * time-out), then 504, {@code before} without acting or {@code after} the job started. Zeros end it.
     */
    @POST
    @Path("/lost-answers")
    public Map<String, Object> loseAnswers(@QueryParam("before") double before, @QueryParam("after") double after,
            @QueryParam("hold") String hold) {
        Duration held;
        try {
            held = hold == null ? Duration.ofSeconds(40) : Duration.parse(hold);
            simulator.loseAnswers(before, after, held);
        } catch (RuntimeException e) {
            throw new WebApplicationException("before and after are shares from 0 to 1 adding up to at most 1; "
                    + "hold is an ISO-8601 duration such as PT40S", Response.Status.BAD_REQUEST);
        }
        return Map.of("before", before, "after", after, "hold", held.toString());
    }

    /** Invalidates every issued token, as a password change does. */
    @POST
    @Path("/tokens/revoke")
    public Map<String, Integer> revokeTokens() {
        return Map.of("revoked", simulator.revokeTokens());
    }

    @GET
    @Path("/journal")
    public List<JournalEntry> journal() {
        return simulator.journal();
    }

    /** Forgets calls, jobs, tokens and faults; settings return to the configured ones. */
    @DELETE
    public Response reset() {
        simulator.reset(initial);
        return Response.noContent().build();
    }
}
