package io.gaussrestore.simulator;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The simulated GaussDB(for MySQL) v3 and IAM APIs over HTTP: a thin layer over {@link GaussDbSimulator}. */
@Path("/v3")
@SimulatorEndpoint
@Produces(MediaType.APPLICATION_JSON)
public class SimulatorResource {

    private final GaussDbSimulator simulator;

    SimulatorResource(GaussDbSimulator simulator) {
        this.simulator = simulator;
    }

    @POST
    @Path("/{project_id}/instances/{instance_id}/backups/restore/tables")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> createRestoreTables(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @HeaderParam("X-Auth-Token") String token, String body) {
        return serve(new GaussDbSimulator.Call("restore", "POST",
                "/v3/" + projectId + "/instances/" + instanceId + "/backups/restore/tables",
                projectId, instanceId, token, Map.of(), body));
    }

    @GET
    @Path("/{project_id}/jobs")
    public Uni<Response> showJob(@PathParam("project_id") String projectId, @QueryParam("id") String jobId,
            @HeaderParam("X-Auth-Token") String token) {
        Map<String, String> query = new HashMap<>();
        if (jobId != null) {
            query.put("id", jobId);
        }
        return serve(new GaussDbSimulator.Call("job", "GET", "/v3/" + projectId + "/jobs", projectId, null, token,
                query, null));
    }

    @GET
    @Path("/{project_id}/instances/{instance_id}/restore-time")
    public Uni<Response> restoreTimes(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @QueryParam("date") String date,
            @HeaderParam("X-Auth-Token") String token) {
        Map<String, String> query = new HashMap<>();
        if (date != null) {
            query.put("date", date);
        }
        return serve(new GaussDbSimulator.Call("restore_time", "GET",
                "/v3/" + projectId + "/instances/" + instanceId + "/restore-time", projectId, instanceId, token,
                query, null));
    }

    @GET
    @Path("/{project_id}/instances/{instance_id}")
    public Uni<Response> showInstance(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @HeaderParam("X-Auth-Token") String token) {
        return serve(new GaussDbSimulator.Call("instance", "GET", "/v3/" + projectId + "/instances/" + instanceId,
                projectId, instanceId, token, Map.of(), null));
    }

    @POST
    @Path("/auth/tokens")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> issueToken(String body) {
        return serve(new GaussDbSimulator.Call("token", "POST", "/v3/auth/tokens", "", null, null, Map.of(), body));
    }

    private Uni<Response> serve(GaussDbSimulator.Call call) {
        GaussDbSimulator.Handled handled = simulator.handle(call);
        Duration latency = simulator.settings().latency();
        Uni<GaussDbSimulator.Handled> delayed = latency.isZero()
                ? Uni.createFrom().item(handled)
                : Uni.createFrom().item(handled).onItem().delayIt().by(latency);
        return delayed.map(h -> {
            simulator.responded(h.journalSeq());
            SimResponse response = h.response();
            Response.ResponseBuilder builder = Response.status(response.status());
            response.headers().forEach(builder::header);
            if (response.body() != null) {
                builder.entity(response.body().toString()).type(MediaType.APPLICATION_JSON);
            }
            return builder.build();
        });
    }
}
