package io.gaussrestore.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;

/** The service's own meters, named as in the contract; every outcome is registered at zero from the start. */
@ApplicationScoped
public class RestoreMetrics {

    /** Values of the {@code outcome} label of {@code gaussdb_restore_requests_total}. */
    public enum Outcome { SUBMITTED, REJECTED, DUPLICATE, FAILED, UNKNOWN, DEAD_LETTERED, QUEUED, DRY_RUN }

    private final MeterRegistry registry;
    private final java.util.concurrent.atomic.AtomicLong jobsInFlight = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong circuitOpen = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong oldestJobAgeSeconds = new java.util.concurrent.atomic.AtomicLong();
    private final ErrorCodeLabels errorCodes = new ErrorCodeLabels(ErrorCodeLabels.MAX_LABELS);

    public RestoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("gaussdb.restore.jobs.in.flight", jobsInFlight, Number::doubleValue)
                .description("Submitted restore jobs that have not ended yet")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("gaussdb.restore.circuit.open", circuitOpen, Number::doubleValue)
                .description("1 while calls to the cloud are suspended and no new request is taken")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("gaussdb.restore.jobs.oldest.age", oldestJobAgeSeconds,
                        Number::doubleValue)
                .description("Age of the oldest submitted job that has not ended (0 when none)")
                .baseUnit("seconds")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("gaussdb.restore.queued.requests", queued, Number::doubleValue)
                .description("Requests waiting for their instance (QUEUED)")
                .register(registry);
        for (Outcome outcome : Outcome.values()) {
            requests(outcome);
        }
    }

    /** Counts a request by its first outcome. */
    public void request(Outcome outcome) {
        requests(outcome).increment();
    }

    private Counter requests(Outcome outcome) {
        return Counter.builder("gaussdb.restore.requests")
                .description("Restore requests by their first outcome")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }

    /** Records one call to the cloud: its status ({@code 200}, {@code 429}, {@code io_error}, {@code timeout}) and error code. */
    public void apiCall(String operation, String status, String errorCode, Duration latency) {
        Counter.builder("gaussdb.restore.api.calls")
                .description("Calls to the GaussDB API by operation, HTTP status and error code")
                .tag("operation", operation)
                .tag("status", status)
                .tag("error_code", errorCodes.label(errorCode))
                .register(registry)
                .increment();
        Timer.builder("gaussdb.restore.api.latency")
                .description("Latency of calls to the GaussDB API")
                .tag("operation", operation)
                .publishPercentileHistogram()
                .register(registry)
                .record(latency);
    }

    /** Counts a retry of a call to the cloud and why it was retried. */
    public void retry(String operation, String reason) {
        Counter.builder("gaussdb.restore.api.retries")
                .description("Retries of calls to the GaussDB API")
                .tag("operation", operation)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Shows whether the circuit to the cloud is open. */
    public void circuitOpen(boolean open) {
        circuitOpen.set(open ? 1 : 0);
    }

    /** Records how long a call waited for the rate budget. */
    public void rateLimitWait(Duration wait) {
        Timer.builder("gaussdb.restore.rate.limit.wait")
                .description("Time calls waited for the project's rate budget")
                .publishPercentileHistogram()
                .register(registry)
                .record(wait);
    }

    /** Sets the number of submitted jobs that have not ended. */
    public void queued(long count) {
        queued.set(count);
    }

    /** How long a request waited in its instance's line, by how the wait ended (released, cancelled, expired). */
    public void queueWait(String ending, Duration waited) {
        Timer.builder("gaussdb.restore.queue.wait")
                .description("Time requests waited for their instance")
                .tag("ending", ending)
                .publishPercentileHistogram()
                .register(registry)
                .record(waited);
    }

    public void jobsInFlight(long count) {
        jobsInFlight.set(count);
    }

    /** How long the oldest job in flight has been running. */
    public void oldestJobAge(Duration age) {
        oldestJobAgeSeconds.set(Math.max(0, age.toSeconds()));
    }

    /** Records how long a job ran, from submission to its end, by how it ended. */
    public void jobEnded(String outcome, Duration duration) {
        Timer.builder("gaussdb.restore.job.duration")
                .description("Time from a job's submission to its end")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(duration.isNegative() ? Duration.ZERO : duration);
    }

    /** Records the time one ledger operation took. */
    public void ledgerCall(String operation, long nanos) {
        Timer.builder("gaussdb.restore.ledger.latency")
                .description("Latency of idempotency ledger operations")
                .tag("operation", operation)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Records the time from a request record's timestamp to its first result. */
    public void requestLatency(Duration latency) {
        Timer.builder("gaussdb.restore.request.latency")
                .description("Time from the request record's timestamp to its first result")
                .publishPercentileHistogram()
                .register(registry)
                .record(latency.isNegative() ? Duration.ZERO : latency);
    }
}
