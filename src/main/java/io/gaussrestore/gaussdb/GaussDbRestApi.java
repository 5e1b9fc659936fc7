package io.gaussrestore.gaussdb;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The GaussDB(for MySQL) v3 API as a reactive REST client; only {@link GaussDbRestoreClient} uses it. Every answer is
 * JSON; the X-Language header is added to every call by {@link CloudClients}.
 */
@Path("/v3/{project_id}")
@Produces(MediaType.APPLICATION_JSON)
interface GaussDbRestApi {

    /** CreateRestoreTables; the body is sent as the exact JSON bytes given. */
    @POST
    @Path("/instances/{instance_id}/backups/restore/tables")
    @Consumes("application/json;charset=UTF-8")
    Uni<Response> createRestoreTables(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @HeaderParam("X-Auth-Token") String authToken, byte[] body);

    /** ShowGaussMySqlJobInfo: the status of a job. */
    @GET
    @Path("/jobs")
    Uni<Response> showJob(@PathParam("project_id") String projectId, @QueryParam("id") String jobId,
            @HeaderParam("X-Auth-Token") String authToken);

    /** ShowGaussMySqlInstanceInfo: the instance and its status. */
    @GET
    @Path("/instances/{instance_id}")
    Uni<Response> showInstance(@PathParam("project_id") String projectId, @PathParam("instance_id") String instanceId,
            @HeaderParam("X-Auth-Token") String authToken);

    /** ShowGaussMySqlRestoreTime: the instance's restorable time windows (date: yyyy-MM-dd in UTC, or null for all). */
    @GET
    @Path("/instances/{instance_id}/restore-time")
    Uni<Response> showRestoreTimes(@PathParam("project_id") String projectId,
            @PathParam("instance_id") String instanceId, @QueryParam("date") String date,
            @HeaderParam("X-Auth-Token") String authToken);
}
