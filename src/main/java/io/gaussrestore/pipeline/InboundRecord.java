package io.gaussrestore.pipeline;

import io.gaussrestore.request.Judged;
import io.gaussrestore.request.RestoreRequest;
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
 * @param judged the record decoded and checked at {@code readAt}, so that it is parsed and judged once; null only
 *     for work the ledger hands back (a request taken from its line, an orphan), which the pipeline judges afresh
 * @param seenSettled the dispatcher saw its request_id settled lately: most likely a repeat, so the ledger is asked
 *     for the request before a claim is tried (a hint only; the ledger decides)
 */
public record InboundRecord(byte[] value, String ceId, Instant timestamp, String topic, int partition, long offset,
        RecordFence fence, String httpCaller, Set<String> httpRoles, String policyDenial, String traceparent,
        Span span, Instant readAt, Judged judged, boolean seenSettled) {

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
