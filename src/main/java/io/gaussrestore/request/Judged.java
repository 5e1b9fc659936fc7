package io.gaussrestore.request;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/**
 * What a record's value was judged, once, when it was read: why it cannot be a request (null when it is a JSON
 * object), why it is too old to be handled (null when it is not), its verdict under the request rules (null when
 * unreadable), the business key of a valid request, and its instance_id as written and well-formed request_id (for
 * its place in line). The decoded tree is not kept, so a record in flight holds its bytes and its verdict, nothing
 * more.
 */
public record Judged(RecordDecoder.Decoded.Unreadable unreadable, String expired, RequestCheck check,
        String businessKey, String instanceId, String requestId) {

    /**
     * Decodes the value and judges it by the rules in force at {@code at}.
     *
     * @param writtenAt when the record was written (its timestamp), null when unknown: a record older than the
     *     de-duplication window is expired whatever its content
     */
    public static Judged of(byte[] value, Instant writtenAt, Instant at, Duration window, RecordDecoder decoder,
            RestoreRequestValidator validator) {
        RecordDecoder.Decoded decoded = decoder.decode(value);
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            return new Judged(unreadable, null, null, null, null, null);
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
        return new Judged(null, RequestRules.expiry(writtenAt, at, window).orElse(null), check,
                check instanceof RequestCheck.Valid valid ? BusinessKey.of(valid.request()) : null,
                fields.path("instance_id").isTextual() ? fields.get("instance_id").textValue() : null,
                check.requestId());
    }

    /** Whether it is answered REJECTED whatever came before it: it breaks the rules or is expired. */
    public boolean rejected() {
        return unreadable == null && (expired != null || check instanceof RequestCheck.Invalid);
    }
}
