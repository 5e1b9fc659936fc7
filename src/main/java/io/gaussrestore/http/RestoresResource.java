package io.gaussrestore.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.config.Channels;
import io.gaussrestore.queue.InstanceQueue;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.RestoreResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Restores over HTTP, for callers that do not speak Kafka, and a look at what the ledger knows. */
@Path("/restores")
@Produces(MediaType.APPLICATION_JSON)
public class RestoresResource {

    private static final int MAX_LIMIT = 500;

    private final IdempotencyLedger ledger;
    private final RecordDecoder decoder;
    private final MutinyEmitter<byte[]> requests;
    private final InstanceQueue queue;

    RestoresResource(IdempotencyLedger ledger, RecordDecoder decoder,
            @Channel(Channels.REQUESTS_OUT) MutinyEmitter<byte[]> requests, InstanceQueue queue) {
        this.ledger = ledger;
        this.decoder = decoder;
        this.requests = requests;
        this.queue = queue;
    }

    /**
     * Cancels a request that waits for its instance: it ends CANCELLED (a result is published) and nothing is
     * sent. A request already sent to the cloud cannot be cancelled: 409 says where it stands.
     */
    @POST
    @Path("/{request_id}/cancel")
    @io.smallrye.common.annotation.Blocking
    public Response cancel(@PathParam("request_id") String requestId) {
        if (ledger.find(requestId).isEmpty()) {
            return error(Response.Status.NOT_FOUND, "no request with request_id " + requestId + " is known");
        }
        return queue.cancel(requestId, "cancelled through POST /restores/" + requestId + "/cancel")
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
    @Path("/{request_id}")
    public Response get(@PathParam("request_id") String requestId) {
        return ledger.find(requestId)
                .map(entry -> Response.ok(view(entry)).build())
                .orElseGet(() -> error(Response.Status.NOT_FOUND, "no request with request_id " + requestId
                        + " is known (it may be older than the de-duplication window)"));
    }

    /** Recent requests, newest first. */
    @GET
    public Response list(@QueryParam("instance_id") String instanceId, @QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        LedgerState state = null;
        if (status != null && !status.isBlank()) {
            try {
                state = LedgerState.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return error(Response.Status.BAD_REQUEST, "status must be one of " + List.of(LedgerState.values()));
            }
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return error(Response.Status.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        if (state == LedgerState.QUEUED) {
            return Response.ok(inLine(ledger.queued(blankToNull(instanceId), limit))).build();
        }
        List<RestoreResult> entries = ledger.recent(blankToNull(instanceId), state, limit).stream().map(this::view).toList();
        return Response.ok(entries).build();
    }

    /**
     * Publishes a request event to the request topic and answers its request_id; the service then handles it
     * like any other. Only the shape is checked here (a JSON object within the size limit); the rules are
     * applied by the pipeline and reported as a REJECTED result.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> submit(byte[] body) {
        RecordDecoder.Decoded decoded = decoder.decode(body);
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            return Uni.createFrom().item(error(Response.Status.BAD_REQUEST,
                    "the body must be a JSON object: " + unreadable.reason() + " (" + unreadable.detail() + ")"));
        }
        JsonNode json = ((RecordDecoder.Decoded.Json) decoded).object();
        JsonNode given = json.get("request_id");
        if (given != null && !given.isNull() && !(given.isTextual() && RequestIds.wellFormed(given.textValue()))) {
            return Uni.createFrom().item(error(Response.Status.BAD_REQUEST,
                    "request_id must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'; nothing was accepted"));
        }
        String requestId = given != null && given.isTextual() ? given.textValue() : "http-" + UUID.randomUUID();
        String key = json.path("instance_id").isTextual() ? json.path("instance_id").asText() : null;
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", requestId.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers)
                .build();
        return requests.sendMessage(Message.of(body).addMetadata(metadata))
                .map(ignored -> Response.accepted(Map.of("request_id", requestId,
                                "status_url", "/restores/" + requestId))
                        .location(URI.create("/restores/" + requestId))
                        .build())
                .onFailure().recoverWithItem(e -> error(Response.Status.SERVICE_UNAVAILABLE,
                        "the request could not be written to the request topic (" + e.getClass().getSimpleName()
                                + "); nothing was accepted, send it again"));
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

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
