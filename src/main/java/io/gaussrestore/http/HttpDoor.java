package io.gaussrestore.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.access.Acceptance;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.RestorePolicy;
import io.gaussrestore.config.Channels;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.observability.Tracing;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestHeaders;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.ResultError;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The way into the pipeline for an authenticated person or program (the HTTP API and the console): judges the
 * request once to answer its caller at once (the caller, the request_id's shape, the acceptance step with the caller
 * known), then writes it to the request topic. There it is a record like any other, judged when it is read by
 * whichever replica reads it, under the rules in force then; a refusal found here travels with it and is not
 * judged again.
 */
@ApplicationScoped
public class HttpDoor {

    private static final Logger LOG = Logger.getLogger(HttpDoor.class);

    /** What became of a request at the door: 202 (written), 400 (refused, nothing written), 403 or 503. */
    public record Answer(int status, String requestId, String code, String error) {

        public boolean accepted() {
            return status == 202;
        }
    }

    @Inject @Channel(Channels.REQUESTS_OUT) MutinyEmitter<byte[]> requests;
    @Inject RestoreRequestValidator validator;
    @Inject Acceptance acceptance;
    @Inject LedgerReads ledger;
    @Inject Tracing tracing;
    @Inject Clock clock;

    /**
     * Writes a request object for an authenticated caller. {@code requested_by} becomes the caller (a body naming
     * someone else is refused); a missing request_id is made up with {@code idPrefix}. The request is judged here,
     * once: a malformed request_id is refused (400, nothing written); a request the acceptance step refuses is still
     * written, so that it ends REJECTED POLICY_DENIED like one refused on the Kafka door (403).
     *
     * @param where the door's path, for the log line of a refusal
     */
    public Uni<Answer> send(String caller, Set<String> roles, ObjectNode json, String idPrefix, String where) {
        JsonNode claimed = json.get("requested_by");
        if (claimed != null && !claimed.isNull() && !(claimed.isTextual() && claimed.textValue().equals(caller))) {
            return refuse(caller, where, "requested_by is the authenticated caller (" + caller + ") and cannot name "
                    + "anyone else; leave it out, and say on whose behalf in reason or ticket");
        }
        json.put("requested_by", caller);
        return send(caller, roles, json, validator.check(json), idPrefix, where);
    }

    /**
     * Writes a request already judged for this caller (its {@code requested_by} is the caller), as the console's
     * form checks did.
     */
    public Uni<Answer> send(String caller, Set<String> roles, ObjectNode json, RequestCheck check, String idPrefix,
            String where) {
        JsonNode given = json.get("request_id");
        if (given != null && !given.isNull() && check.requestId() == null) {
            return refuse(caller, where, "request_id must be 1 to 128 characters of letters, digits, '.', '_', ':' "
                    + "or '-'; nothing was accepted");
        }
        String requestId = check.requestId() != null ? check.requestId() : idPrefix + UUID.randomUUID();
        Uni<Optional<RestorePolicy.Denial>> verdict = check instanceof RequestCheck.Valid valid
                ? acceptance.judge(valid.request(), Optional.of(new RestorePolicy.Caller(caller, roles)),
                        clock.instant(), since -> acceptedSince(valid.request().instanceId(), since, requestId))
                : Uni.createFrom().item(Optional.empty());
        return verdict
                // The count behind the hourly limit could not be read: the request is written all the same and
                // judged when its record is read; nothing is lost and nothing is sent unjudged.
                .onFailure().invoke(e -> LOG.warnf("the hourly count for request %s could not be read at the door (%s): "
                        + "it is judged when its record is read", requestId, e.toString()))
                .onFailure().recoverWithItem(e -> Optional.empty())
                .chain(denial -> write(caller, roles, json, requestId, denial.map(RestorePolicy.Denial::message)
                .orElse(null)));
    }

    private Uni<Long> acceptedSince(String instanceId, Instant since, String requestId) {
        return Uni.createFrom().item(() -> ledger.acceptedSince(instanceId, since, requestId))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Uni<Answer> write(String caller, Set<String> roles, ObjectNode json, String requestId, String denial) {
        String key = json.path("instance_id").isTextual() ? json.path("instance_id").asText() : null;
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", requestId.getBytes(StandardCharsets.UTF_8));
        headers.add(RequestHeaders.HTTP_CALLER, caller.getBytes(StandardCharsets.UTF_8));
        headers.add(RequestHeaders.HTTP_CALLER_ROLES, String.join(",", new java.util.TreeSet<>(roles))
                .getBytes(StandardCharsets.UTF_8));
        if (denial != null) {
            headers.add(RequestHeaders.POLICY_DENIED, denial.getBytes(StandardCharsets.UTF_8));
        }
        String traceparent = tracing.currentTraceparent();
        if (traceparent != null) {
            headers.add(Tracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers)
                .build();
        byte[] value = json.toString().getBytes(StandardCharsets.UTF_8);
        return requests.sendMessage(Message.of(value).addMetadata(metadata))
                .map(ignored -> denial == null
                        ? new Answer(202, requestId, null, null)
                        : new Answer(403, requestId, ResultError.POLICY_DENIED, "the restore policy does not allow "
                                + "this request: " + denial + "; it ends REJECTED and nothing is sent to the cloud"))
                .onFailure().recoverWithItem(e -> new Answer(503, null, null, "the request could not be written to "
                        + "the request topic (" + e.getClass().getSimpleName() + "); nothing was accepted, send it again"));
    }

    private static Uni<Answer> refuse(String caller, String where, String why) {
        Decisions.refused("refused", caller, "POST", where, "400 " + why);
        return Uni.createFrom().item(new Answer(400, null, null, why));
    }
}
