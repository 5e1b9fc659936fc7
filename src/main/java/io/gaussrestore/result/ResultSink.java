package io.gaussrestore.result;

import io.smallrye.mutiny.Uni;

/** Where results go; the returned Uni completes only once the result is durable (the broker acknowledged it). */
public interface ResultSink {

    /** Publishes a result as the CloudEvent with the given id (the same id when a result is published again). */
    Uni<Void> publish(RestoreResult result, String eventId);

    /** Publishes a result whose value was serialised before (and kept), so that it goes out byte for byte. */
    Uni<Void> publish(RestoreResult result, String eventId, String value);

    /** As {@link #publish(RestoreResult, String, String)}, in the trace named by a W3C traceparent (null: none). */
    Uni<Void> publish(RestoreResult result, String eventId, String value, String traceparent);
}
