package io.gaussrestore.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.Roles;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.queue.InstanceQueue;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.RestoreResult;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** Restores over HTTP, for callers that do not speak Kafka, and a look at what the ledger knows. */
@Path("/restores")
@Tag(name = "restores", description = "Start a restore, follow it, cancel it while it waits")
@SecurityRequirement(name = RestoresResource.API_KEY)
@SecurityRequirement(name = RestoresResource.BEARER)
@OpenAPIDefinition(info = @Info(title = "GaussDB table restore service", version = "1.0.0",
        description = "Start GaussDB(for MySQL) point-in-time table restores and follow them. Every call needs an "
                + "API key (X-API-Key) or a bearer JWT; restore-requester may ask and cancel, restore-viewer may read."))
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = RestoresResource.API_KEY, type = SecuritySchemeType.APIKEY,
                apiKeyName = "X-API-Key", in = SecuritySchemeIn.HEADER,
                description = "A key whose SHA-256 is in RESTORE_API_KEYS_FILE"),
        @SecurityScheme(securitySchemeName = RestoresResource.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
                bearerFormat = "JWT", description = "A JWT from the identity provider (RESTORE_JWT_KEY_LOCATION)")})
@Produces(MediaType.APPLICATION_JSON)
public class RestoresResource {

    /** The OpenAPI names of the two ways a caller authenticates. */
    static final String API_KEY = "api-key";
    static final String BEARER = "bearer-jwt";
    private static final Logger LOG = Logger.getLogger(RestoresResource.class);
    private static final int MAX_LIMIT = 500;

    private final LedgerReads ledger;
    private final RecordDecoder decoder;
    private final InstanceQueue queue;
    private final HttpDoor door;
    private final SecurityIdentity identity;
    private final int maxRecordBytes;

    RestoresResource(LedgerReads ledger, RecordDecoder decoder, InstanceQueue queue, HttpDoor door,
            SecurityIdentity identity, RestoreConfig config) {
        this.door = door;
        this.identity = identity;
        this.maxRecordBytes = config.requests().maxRecordBytes();
        this.ledger = ledger;
        this.decoder = decoder;
        this.queue = queue;
    }

    /**
     * Cancels a request that waits for its instance: it ends CANCELLED (a result is published) and nothing is
     * sent. A request already sent to the cloud cannot be cancelled: 409 says where it stands.
     */
    @POST
    @Path("/{request_id}/cancel")
    @Operation(summary = "Cancel a request that waits for its instance (QUEUED)")
    @APIResponse(responseCode = "200", description = "Cancelled: the CANCELLED view of the request")
    @APIResponse(responseCode = "404", description = "No such request")
    @APIResponse(responseCode = "409", description = "The request is past waiting (sent, or ended); its status is in the body")
    @RolesAllowed(Roles.REQUESTER)
    @io.smallrye.common.annotation.Blocking
    public Response cancel(@PathParam("request_id") String requestId) {
        ParameterRules.Read<String> id = ParameterRules.requestId(requestId);
        if (!id.ok()) {
            return error(Response.Status.BAD_REQUEST, id.problem());
        }
        if (ledger.find(requestId).isEmpty()) {
            return error(Response.Status.NOT_FOUND, "no request with request_id " + requestId + " is known");
        }
        String caller = identity.getPrincipal().getName();
        LOG.infof("decision=cancel caller=%s request_id=%s", caller, requestId);
        return queue.cancel(requestId, "cancelled by " + caller + " through POST /restores/" + requestId + "/cancel")
                .map(cancelled -> Response.ok(view(cancelled)).build())
                .orElseGet(() -> {
                    LedgerEntry current = ledger.find(requestId).orElseThrow();
                    return Response.status(Response.Status.CONFLICT).entity(Map.of(
                            "error", "request " + requestId + " is " + view(current).status() + ": only a request "
                                    + "waiting for its instance (QUEUED) can be cancelled; one sent to the cloud "
                                    + "cannot be taken back",
                            "status", view(current).status().name())).type(MediaType.APPLICATION_JSON).build();
                });
    }

    /** The request's latest state, in the shape of a result event. */
    @GET
    @Operation(summary = "The latest state of one request, in the shape of a result event")
    @APIResponse(responseCode = "200", description = "The request (status may also be SUBMITTING)")
    @APIResponse(responseCode = "404", description = "No such request (or older than the de-duplication window)")
    @RolesAllowed(Roles.VIEWER)
    @Path("/{request_id}")
    public Response get(@PathParam("request_id") String requestId) {
        ParameterRules.Read<String> id = ParameterRules.requestId(requestId);
        if (!id.ok()) {
            return error(Response.Status.BAD_REQUEST, id.problem());
        }
        return ledger.find(requestId)
                .map(entry -> Response.ok(view(entry)).build())
                .orElseGet(() -> error(Response.Status.NOT_FOUND, "no request with request_id " + requestId
                        + " is known (it may be older than the de-duplication window)"));
    }

    /** Recent requests, newest first. */
    @GET
    @Operation(summary = "Recent requests, newest first; status=queued lists the lines of waiting requests")
    @APIResponse(responseCode = "200", description = "Requests in the shape of result events")
    @APIResponse(responseCode = "400", description = "Unknown status or limit outside 1-500")
    @RolesAllowed(Roles.VIEWER)
    public Response list(@QueryParam("instance_id") String instanceId,
            @QueryParam("status") @Parameter(schema = @Schema(type = SchemaType.STRING, enumeration = {"RECEIVED",
                    "QUEUED", "SUBMITTING", "SUBMITTED", "RUNNING", "COMPLETED", "FAILED", "REJECTED", "DUPLICATE",
                    "UNKNOWN", "CANCELLED", "DRY_RUN"})) String status,
            @QueryParam("limit") @DefaultValue("50")
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", defaultValue = "50", minimum = "1",
                    maximum = "500")) String limit) {
        ParameterRules.Read<Optional<String>> instance = ParameterRules.filter("instance_id", instanceId);
        ParameterRules.Read<Optional<LedgerState>> state = ParameterRules.status(status);
        ParameterRules.Read<Integer> count = ParameterRules.whole("limit", limit, 1, MAX_LIMIT, 50);
        for (ParameterRules.Read<?> read : List.of(instance, state, count)) {
            if (!read.ok()) {
                return error(Response.Status.BAD_REQUEST, read.problem());
            }
        }
        String onInstance = instance.value().orElse(null);
        if (state.value().orElse(null) == LedgerState.QUEUED) {
            return Response.ok(inLine(ledger.queued(onInstance, count.value()))).build();
        }
        List<RestoreResult> entries = ledger.recent(onInstance, state.value().orElse(null), count.value()).stream()
                .map(this::view).toList();
        return Response.ok(entries).build();
    }

    /**
     * Publishes a request event to the request topic and answers its request_id; the service then handles it
     * like any other. Here: the caller's credential and role (Quarkus security), the body's shape (a JSON object
     * within the size limit, 400/413/415 otherwise), requested_by set to the authenticated caller, and the restore
     * policy with the caller known. A request the policy refuses is still written, so that it ends REJECTED
     * POLICY_DENIED like one refused on the Kafka door, and the caller gets 403 at once.
     */
    @POST
    @RolesAllowed(Roles.REQUESTER)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Ask for a restore (the body is a restore request event)")
    @RequestBody(required = true, description = "A restore request event, as published in "
            + "docs/schemas/restore-request.schema.json", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.OBJECT, requiredProperties = {"project_id", "instance_id",
                    "restore_time", "restore_tables"})))
    @APIResponse(responseCode = "202", description = "Accepted: follow it at status_url or on the result topic")
    @APIResponse(responseCode = "400", description = "Not a JSON object, over the bounds of one request (more than 50,000 JSON values, nesting over 64 deep, a number over 100 characters), a malformed request_id, or requested_by naming someone else")
    @APIResponse(responseCode = "403", description = "The role restore-requester is missing, or the restore policy refuses the caller (code POLICY_DENIED; the request still ends REJECTED)")
    @APIResponse(responseCode = "413", description = "Over RESTORE_MAX_RECORD_BYTES")
    @APIResponse(responseCode = "415", description = "Not application/json")
    @APIResponse(responseCode = "503", description = "The request topic did not take it; nothing was accepted")
    public Uni<Response> submit(@HeaderParam("Content-Type") String contentType, byte[] body) {
        String caller = identity.getPrincipal().getName();
        if (!isJson(contentType)) {
            return refuse(caller, Response.Status.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, not "
                    + (contentType == null ? "a body without Content-Type" : Bounded.text(contentType, 100)));
        }
        if (body == null || body.length > maxRecordBytes) {
            return refuse(caller, Response.Status.REQUEST_ENTITY_TOO_LARGE, "the body is over the limit of "
                    + maxRecordBytes + " bytes (RESTORE_MAX_RECORD_BYTES)");
        }
        RecordDecoder.Decoded decoded = decoder.decode(body);
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            return refuse(caller, Response.Status.BAD_REQUEST,
                    "the body must be a JSON object: " + unreadable.reason() + " (" + unreadable.detail() + ")");
        }
        if (decoded instanceof RecordDecoder.Decoded.TooComplex tooComplex) {
            return refuse(caller, Response.Status.BAD_REQUEST, "the body is not a request: " + tooComplex.why()
                    + "; nothing was accepted");
        }
        ObjectNode json = ((RecordDecoder.Decoded.Json) decoded).object();
        return door.send(caller, identity.getRoles(), json, "http-", "/restores").map(answer -> switch (answer.status()) {
            case 202 -> Response.accepted(Map.of("request_id", answer.requestId(),
                            "status_url", "/restores/" + answer.requestId()))
                    .location(URI.create("/restores/" + answer.requestId()))
                    .build();
            case 403 -> Response.status(Response.Status.FORBIDDEN).entity(Map.of("request_id", answer.requestId(),
                            "status_url", "/restores/" + answer.requestId(), "code", answer.code(), "error", answer.error()))
                    .type(MediaType.APPLICATION_JSON)
                    .location(URI.create("/restores/" + answer.requestId()))
                    .build();
            default -> error(Response.Status.fromStatusCode(answer.status()), answer.error());
        });
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    private static Uni<Response> refuse(String caller, Response.Status status, String why) {
        Decisions.refused("refused", caller, "POST", "/restores", status.getStatusCode() + " " + why);
        return Uni.createFrom().item(error(status, why));
    }

    /** Waiting requests by instance, in line, each with its current place. */
    private static List<RestoreResult> inLine(List<LedgerEntry> queued) {
        List<RestoreResult> views = new java.util.ArrayList<>();
        String instance = null;
        int place = 0;
        for (LedgerEntry entry : queued) {
            place = entry.instanceId().equals(instance) ? place + 1 : 1;
            instance = entry.instanceId();
            views.add(LedgerResults.queued(entry, place));
        }
        return views;
    }

    private RestoreResult view(LedgerEntry entry) {
        if (entry.state() == LedgerState.DUPLICATE && entry.duplicateOf() != null) {
            return LedgerResults.duplicate(entry, ledger.find(entry.duplicateOf()).orElse(null));
        }
        return LedgerResults.latest(entry);
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).entity(Map.of("error", message)).type(MediaType.APPLICATION_JSON).build();
    }

}
