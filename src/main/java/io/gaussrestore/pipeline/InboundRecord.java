package io.gaussrestore.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

/**
 * A request record as the pipeline sees it, free of any messaging API.
 *
 * @param ceId the record's {@code ce_id} header, null when absent
 * @param timestamp the record's timestamp, the start of the request latency; null when unknown
 * @param fence checked before every call to the cloud: work on a record whose partition moved elsewhere stops
 * @param httpCaller the authenticated caller when the HTTP door wrote the record, null for the Kafka door
 * @param httpRoles the roles that caller held at the door (empty for the Kafka door): the policy's caller rule is
 *     applied with them wherever the policy is checked
 * @param policyDenial why the HTTP door's policy check refused the request (the record is kept for its REJECTED
 *     result), null when it did not
 * @param traceparent the record's W3C traceparent header, null when absent
 * @param span the request's span while the pipeline works on it (invalid when tracing is off)
 * @param readAt when the service read the record, the moment its rules are judged at (the dispatcher placed it in
 *     its instance's line by that verdict); null: when the pipeline takes it
 * @param judged the record decoded and checked at {@code readAt}, so that it is parsed and judged once; null: the
 *     pipeline judges it
 * @param seenSettled the dispatcher saw its request_id settled lately: most likely a repeat, so the ledger is asked
 *     for the request before a claim is tried (a hint only; the ledger decides)
 */
public record InboundRecord(byte[] value, String ceId, Instant timestamp, String topic, int partition, long offset,
        RecordFence fence, String httpCaller, Set<String> httpRoles, String policyDenial, String traceparent,
        Span span, Instant readAt, Judged judged, boolean seenSettled) {

    /**
     * What a record's value was judged: why it cannot be a request (null when it is a JSON object), its verdict
     * (null otherwise), the business key of a valid request (null otherwise), and its instance_id and request_id
     * as written when they are strings (for its place in line). Computed once for the dispatcher and the pipeline;
     * the decoded tree is not kept, so a record in flight holds its bytes and its verdict, nothing more.
     */
    public record Judged(RecordDecoder.Decoded.Unreadable unreadable, RequestCheck check, String businessKey,
            String instanceId, String requestId) {

        /** Decodes the value and judges it by the rules in force at that moment. */
        public static Judged of(byte[] value, Instant at, RecordDecoder decoder, RestoreRequestValidator validator) {
            RecordDecoder.Decoded decoded = decoder.decode(value);
            if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
                return new Judged(unreadable, null, null, null, null);
            }
            ObjectNode fields;
            RequestCheck check;
            if (decoded instanceof RecordDecoder.Decoded.TooComplex tooComplex) {
                fields = tooComplex.identity();
                check = validator.tooComplex(fields, tooComplex.why());
            } else {
                fields = ((RecordDecoder.Decoded.Json) decoded).object();
                check = validator.checkAt(fields, at);
            }
            return new Judged(null, check,
                    check instanceof RequestCheck.Valid valid ? BusinessKey.of(valid.request()) : null,
                    fields.path("instance_id").isTextual() ? fields.get("instance_id").textValue() : null,
                    fields.path("request_id").isTextual() ? fields.get("request_id").textValue() : null);
        }
    }

    /** A record from the Kafka door. */
    public InboundRecord(byte[] value, String ceId, Instant timestamp, String topic, int partition, long offset,
            RecordFence fence) {
        this(value, ceId, timestamp, topic, partition, offset, fence, null, Set.of(), null, null,
                Span.getInvalid(), null, null, false);
    }

    /** A record as read from the topic, before the pipeline starts its span. */
    public InboundRecord(byte[] value, String ceId, Instant timestamp, String topic, int partition, long offset,
            RecordFence fence, String httpCaller, Set<String> httpRoles, String policyDenial,
            String traceparent) {
        this(value, ceId, timestamp, topic, partition, offset, fence, httpCaller, httpRoles, policyDenial, traceparent,
                Span.getInvalid(), null, null, false);
    }

    /** The same record, followed by the given span. */
    public InboundRecord withSpan(Span requestSpan) {
        return new InboundRecord(value, ceId, timestamp, topic, partition, offset, fence, httpCaller, httpRoles,
                policyDenial, traceparent, requestSpan, readAt, judged, seenSettled);
    }

    /** The same record, read at that moment, and what it was judged then. */
    public InboundRecord readAt(Instant at, Judged verdict) {
        return new InboundRecord(value, ceId, timestamp, topic, partition, offset, fence, httpCaller, httpRoles,
                policyDenial, traceparent, span, at, verdict, seenSettled);
    }

    /** The same record, its request_id seen settled lately. */
    public InboundRecord asSeenSettled() {
        return new InboundRecord(value, ceId, timestamp, topic, partition, offset, fence, httpCaller, httpRoles,
                policyDenial, traceparent, span, readAt, judged, true);
    }

    /** Which door the request came through, for decision log lines. */
    public String door() {
        return httpCaller == null ? "kafka" : "http";
    }

    /** Who asked: the authenticated caller for the HTTP door, the request's requested_by for the Kafka door. */
    public String caller(RestoreRequest.Audit audit) {
        return httpCaller != null ? httpCaller : audit.requestedBy();
    }

    /** The record's value as text, as the ledger keeps it. */
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** Where the record sits, for log lines. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
