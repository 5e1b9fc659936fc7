package io.gaussrestore.throttling;

import io.gaussrestore.cloud.Operation;
import io.smallrye.mutiny.Uni;

/**
 * The deployment-wide call budget of each API per project (the gateway throttles each API separately). Callers
 * wait for their turn; nobody is turned away.
 */
public interface RateLimiter {

    /** Completes when this call may go. */
    Uni<Void> acquire(String projectId, Operation operation);

    /** The cloud answered 429 to this operation of this project, with this message and Retry-After: slow down. */
    void throttled(String projectId, Operation operation, String message, String retryAfter);

    /**
     * Where one project's budget for one operation stands, as last written (for people, not for decisions);
     * {@code learnedLimit} is the rate a 429's stated limit set as the ceiling (0: none).
     */
    record Budget(String projectId, Operation operation, double tokens, double ratePerMinute, double learnedLimit,
            java.time.Instant lastThrottledAt) {}

    /** Every budget in use, by project and operation. */
    java.util.List<Budget> budgets();
}
