package io.gaussrestore.result;

import io.smallrye.mutiny.Uni;

/** Where results go; the returned Uni completes only once the result is durable (the broker acknowledged it). */
public interface ResultSink {

    Uni<Void> publish(RestoreResult result);
}
