package io.gaussrestore.simulator;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The simulated GaussDB(for MySQL) v3 and IAM APIs over HTTP: a thin layer over {@link GaussDbSimulator}. */
@Path("/v3")
@SimulatorEndpoint
// The simulator stands in for the cloud and checks its own X-Auth-Token; it is never on in production.
@jakarta.annotation.security.PermitAll
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
            @PathParam("instance_id") String instanceId, @Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return serve("restore", "POST", projectId, instanceId, headers, uri, body);
    }

    @GET
    @Path("/{project_id}/jobs")
    public Uni<Response> showJob(@PathParam("project_id") String projectId, @Context HttpHeaders headers,
            @Context UriInfo uri) {
        return serve("job", "GET", projectId, null, headers, uri, null);
    }

    @GET
    @Path("/{project_id}/instances/{instance_id}/restore-time")
    public Uni<Response> restoreTimes(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @Context HttpHeaders headers, @Context UriInfo uri) {
        return serve("restore_time", "GET", projectId, instanceId, headers, uri, null);
    }

    @GET
    @Path("/{project_id}/instances/{instance_id}")
    public Uni<Response> showInstance(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @Context HttpHeaders headers, @Context UriInfo uri) {
        return serve("instance", "GET", projectId, instanceId, headers, uri, null);
    }

    @POST
    @Path("/auth/tokens")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> issueToken(@Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return serve("token", "POST", "", null, headers, uri, body);
    }

    private Uni<Response> serve(String operation, String method, String projectId, String instanceId,
            HttpHeaders headers, UriInfo uri, byte[] body) {
        Map<String, String> lowerCase = new HashMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                lowerCase.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        Map<String, String> query = new HashMap<>();
        uri.getQueryParameters().forEach((name, values) -> {
            if (!values.isEmpty()) {
                query.put(name, values.get(0));
            }
        });
        GaussDbSimulator.Handled handled = simulator.handle(new GaussDbSimulator.Call(operation, method,
                uri.getRequestUri().getRawPath(), projectId, instanceId, lowerCase, query, body));
        Duration latency = simulator.settings().latency().plus(handled.hold());
        Uni<GaussDbSimulator.Handled> delayed = latency.toMillis() < 1
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
