package io.gaussrestore.auth;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** IAM's token call as a reactive REST client; only {@link IamClient} uses it. */
@Path("/v3/auth/tokens")
interface IamRestApi {

    @POST
    @Consumes("application/json;charset=UTF-8")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> issue(@QueryParam("nocatalog") boolean noCatalog, @HeaderParam("X-Auth-Token") String delegatingToken,
            byte[] body);
}
