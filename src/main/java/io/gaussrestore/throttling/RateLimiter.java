package io.gaussrestore.throttling;

import io.smallrye.mutiny.Uni;

/** The deployment-wide call budget per project. Callers wait for their turn; nobody is turned away. */
public interface RateLimiter {

    /** Completes when this call may go. */
    Uni<Void> acquire(String projectId);

    /** The cloud answered 429 for this project, with this message and Retry-After header: slow down. */
    void throttled(String projectId, String message, String retryAfter);
}
