package io.gaussrestore.throttling;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.metrics.RestoreMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Stops taking new requests while the cloud does not answer. Every call reports its result; after a run of
 * failures (no answer, or 5xx) the circuit opens; after a pause one new request is let through as a probe, and
 * the first answer that is not an outage closes it again. Requests already in flight keep retrying.
 */
@ApplicationScoped
public class CircuitBreaker {

    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);

    /** Where the circuit stands. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** The answer to a new request: not now, yes, or yes as the one probe of a half-open circuit. */
    public enum Admission { REFUSED, ADMITTED, PROBE }

    private final int threshold;
    private final Duration openFor;
    private final Clock clock;
    private final RestoreMetrics metrics;
    private State state = State.CLOSED;
    private int failures;
    private Instant openedAt;
    private boolean probeOut;
    private CompletableFuture<Void> closed = CompletableFuture.completedFuture(null);

    public CircuitBreaker(RestoreConfig config, Clock clock, RestoreMetrics metrics) {
        this.threshold = config.throttling().circuitFailureThreshold();
        this.openFor = config.throttling().circuitOpenFor();
        this.clock = clock;
        this.metrics = metrics;
        metrics.circuitOpen(false);
    }

    /** Feeds the result of one call. */
    public void record(ApiResult result) {
        CompletableFuture<Void> reopened;
        synchronized (this) {
            if (outage(result)) {
                failures++;
                if (state == State.HALF_OPEN || (state == State.CLOSED && failures >= threshold)) {
                    open();
                }
                return;
            }
            failures = 0;
            if (state != State.CLOSED) {
                LOG.info("the cloud answers again: taking new requests");
            }
            state = State.CLOSED;
            probeOut = false;
            metrics.circuitOpen(false);
            reopened = closed;
        }
        // Outside the lock; the waiters hop to their own threads (see whenClosed).
        reopened.complete(null);
    }

    /** Whether a new request may be taken from the topic now (in half-open state: one probe at a time). */
    public synchronized Admission admit() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(openFor))) {
            state = State.HALF_OPEN;
            probeOut = false;
        }
        if (state == State.CLOSED) {
            return Admission.ADMITTED;
        }
        if (state == State.HALF_OPEN && !probeOut) {
            probeOut = true;
            return Admission.PROBE;
        }
        return Admission.REFUSED;
    }

    /**
     * The request admitted as the probe is done. If it made no call (it was rejected, a duplicate, dead-lettered)
     * the circuit is still half-open and the next request probes instead: only a real call can close it.
     */
    public synchronized void probeEnded() {
        if (state == State.HALF_OPEN) {
            probeOut = false;
        }
    }

    public synchronized State state() {
        return state;
    }

    /**
     * Completes when the circuit closes (at once if it is closed): calls waiting out a failure go then. Each
     * caller gets a copy of its own, so that one giving up its wait (a cancellation) cannot end the others'. It
     * completes on the thread that closes the circuit, the one reading a call's answer: waiters must continue on
     * a thread of their own.
     */
    public synchronized CompletionStage<Void> whenClosed() {
        return closed.copy();
    }

    /** How long the circuit stays open before a probe. */
    public Duration openFor() {
        return openFor;
    }

    private void open() {
        if (closed.isDone()) {
            closed = new CompletableFuture<>();
        }
        if (state == State.CLOSED) {
            LOG.warnf("%d calls to the cloud failed in a row: no new requests for %s", failures, openFor);
        }
        state = State.OPEN;
        openedAt = clock.instant();
        probeOut = false;
        metrics.circuitOpen(true);
    }

    /** An outage: no answer, or a server error; 4xx answers (429 included) prove the cloud is there. */
    static boolean outage(ApiResult result) {
        if (result instanceof ApiResult.NoResponse) {
            return true;
        }
        return result instanceof ApiResult.ErrorResponse error && error.httpStatus() >= 500;
    }
}
