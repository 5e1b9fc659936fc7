package io.gaussrestore.submission;

import io.gaussrestore.cloud.Backoff;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.throttling.CircuitBreaker;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.CreateRestoreTablesBody;
import io.gaussrestore.gaussdb.ErrorClass;
import io.gaussrestore.gaussdb.ErrorClassifier;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.InstanceInfo;
import io.gaussrestore.cloud.Operation;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.request.RestoreRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import io.gaussrestore.gaussdb.RestoreWindows;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Submits one restore within its deadline: retries what certainly started nothing (with exponential backoff
 * and full jitter), reports a busy instance so that the request can wait in its line, and never repeats a POST
 * whose outcome is unknown without first looking at the instance.
 */
@ApplicationScoped
public class RestoreSubmitter {

    private final GaussDbRestoreClient client;
    private final RestoreConfig.Retry retry;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final CircuitBreaker circuit;

    public RestoreSubmitter(GaussDbRestoreClient client, RestoreConfig config, RestoreMetrics metrics, Clock clock,
            CircuitBreaker circuit) {
        this.client = client;
        this.retry = config.retry();
        this.metrics = metrics;
        this.clock = clock;
        this.circuit = circuit;
    }

    /** The state of one submission as it goes. */
    /**
     * @param lostAnswer set once a POST went out without an answer that proves what it did: from then on a busy
     *     instance may be busy with our own job
     */
    private record Attempt(RestoreRequest request, CreateRestoreTablesBody body, Instant deadline,
            Supplier<Uni<Boolean>> mayAttempt, BooleanSupplier sendNow, int number, ApiResult lostAnswer) {
        Attempt next() {
            return new Attempt(request, body, deadline, mayAttempt, sendNow, number + 1, lostAnswer);
        }

        Attempt afterLostAnswer(ApiResult lost) {
            return new Attempt(request, body, deadline, mayAttempt, sendNow, number, lost);
        }
    }

    /**
     * Submits a restore; {@code mayAttempt} runs before every POST (it checks the ledger's lease and that the record
     * is still this replica's) and stops the submission when it answers false. Every earlier POST is then known
     * to have started nothing.
     */
    public Uni<Submission> submit(RestoreRequest request, Supplier<Uni<Boolean>> mayAttempt) {
        return submit(request, mayAttempt, () -> true, 1);
    }

    /**
     * As {@link #submit(RestoreRequest, Supplier)}, counting attempts on from earlier ones (a request that waited);
     * {@code sendNow} is asked once the rate budget allows each POST, just before it leaves: false stops the
     * submission there, nothing sent.
     */
    public Uni<Submission> submit(RestoreRequest request, Supplier<Uni<Boolean>> mayAttempt, BooleanSupplier sendNow,
            int firstAttempt) {
        return post(new Attempt(request, CreateRestoreTablesBody.from(request), clock.instant().plus(retry.deadline()),
                mayAttempt, sendNow, firstAttempt, null));
    }

    private Uni<Submission> post(Attempt attempt) {
        RestoreRequest request = attempt.request();
        return attempt.mayAttempt().get().chain(allowed -> allowed
                ? client.createRestoreTables(request.projectId(), request.instanceId(), attempt.body(),
                                attempt.sendNow())
                        .chain(result -> result instanceof ApiResult.NoResponse none
                                && none.kind() == ApiResult.NoResponse.Kind.NOT_SENT
                                ? Uni.createFrom().item(new Submission.Stopped(attempt.number() - 1))
                                : decide(attempt, result))
                : Uni.createFrom().item(new Submission.Stopped(attempt.number() - 1)));
    }

    private Uni<Submission> decide(Attempt attempt, ApiResult result) {
        if (result instanceof ApiResult.Success success) {
            return Uni.createFrom().item(GaussDbRestoreClient.jobId(success)
                    .filter(RestoreSubmitter::usableJobId)
                    .<Submission>map(jobId -> new Submission.Accepted(jobId, attempt.number(), clock.instant()))
                    .orElseGet(() -> new Submission.Unknown("the cloud answered HTTP " + success.httpStatus()
                            + " without a usable job_id; whether a job started is unknown", attempt.number())));
        }
        ErrorClass errorClass = ErrorClassifier.classify(Operation.RESTORE, result);
        switch (errorClass) {
            case PERMANENT, REFRESH_AUTH:
                Submission.Refused refused = refused(result, errorClass, attempt.number());
                return RestoreWindows.OUTSIDE_WINDOW.contains(refused.errorCode())
                        ? explainWindows(attempt.request(), refused)
                        : Uni.createFrom().item(refused);
            case AMBIGUOUS:
                metrics.retry(Operation.RESTORE.label(), "ambiguous");
                if (pastDeadline(attempt, retry.ambiguousGrace())) {
                    return Uni.createFrom().item(unansweredAtDeadline(result, attempt.number()));
                }
                return after(retry.ambiguousGrace(), () -> resolveAmbiguous(attempt.afterLostAnswer(result), result, 1));
            case WAIT_FOR_INSTANCE:
                if (attempt.lostAnswer() != null) {
                    return Uni.createFrom().item(new Submission.Unknown(attempt.lostAnswer().describe()
                            + "; a later attempt found the instance busy (" + result.describe() + "), perhaps with "
                            + "the job of the unanswered attempt: not sent again", attempt.number()));
                }
                // Waiting is not failing: the request waits in its instance's line, holding nothing meanwhile.
                metrics.retry(Operation.RESTORE.label(), "instance_busy");
                return Uni.createFrom().item(new Submission.Busy(result.describe(), attempt.number()));
            default:
                Duration delay = retryDelay(attempt.number(), result);
                if (pastDeadline(attempt, delay)) {
                    return Uni.createFrom().item(refused(result, errorClass, attempt.number()));
                }
                metrics.retry(Operation.RESTORE.label(), result.statusLabel());
                return retryAfter(delay, () -> post(attempt.next()));
        }
    }

    /**
     * A restore time outside the instance's windows: one more call fetches them, so that the FAILED result says
     * which times could have been restored. The refusal stands whatever that call answers.
     */
    private Uni<Submission> explainWindows(RestoreRequest request, Submission.Refused refused) {
        return client.restoreTimes(request.projectId(), request.instanceId())
                .map(result -> {
                    Optional<List<RestoreWindows.Window>> windows = RestoreWindows.from(result);
                    String restoreTime = Instant.ofEpochMilli(request.restoreTimeMillis()).toString();
                    String explained = windows
                            .map(w -> refused.message() + " (restore_time " + restoreTime + "; "
                                    + RestoreWindows.describe(w) + ")")
                            .orElseGet(() -> refused.message() + " (restore_time " + restoreTime
                                    + "; the restorable windows could not be read: " + result.describe() + ")");
                    return (Submission) new Submission.Refused(refused.errorCode(), explained, refused.httpStatus(),
                            refused.errorClass(), refused.attempts());
                })
                .onFailure().recoverWithItem(refused);
    }

    /**
     * The POST went out and no answer proves what happened. A RESTORING instance means a job most probably
     * started: report UNKNOWN. An instance with no restore running after the grace period means none started:
     * send again, while the retry deadline allows; past it, UNKNOWN (a job may still show up late, so a request
     * whose POSTs went unanswered never ends FAILED).
     */
    private Uni<Submission> resolveAmbiguous(Attempt attempt, ApiResult lost, int round) {
        RestoreRequest request = attempt.request();
        return client.showInstance(request.projectId(), request.instanceId()).chain(result -> {
            Optional<InstanceInfo> instance = result instanceof ApiResult.Success success
                    ? InstanceInfo.parse(success.body())
                    : Optional.empty();
            if (instance.isPresent() && !instance.get().restoring()) {
                return pastDeadline(attempt, Duration.ZERO)
                        ? Uni.createFrom().item(unansweredAtDeadline(lost, attempt.number()))
                        : post(attempt.next());
            }
            if (instance.isPresent()) {
                return Uni.createFrom().item(new Submission.Unknown(lost.describe() + "; the instance is "
                        + instance.get().status() + ", so a job most probably started: not sent again", attempt.number()));
            }
            Duration delay = retryDelay(round, result);
            if (pastDeadline(attempt, delay)) {
                return Uni.createFrom().item(new Submission.Unknown(lost.describe()
                        + "; the instance could not be looked at before the deadline: not sent again", attempt.number()));
            }
            return retryAfter(delay, () -> resolveAmbiguous(attempt, lost, round + 1));
        });
    }

    private static Submission.Unknown unansweredAtDeadline(ApiResult lost, int attempts) {
        return new Submission.Unknown(lost.describe() + "; the retry deadline passed before the instance showed "
                + "what became of it: not sent again", attempts);
    }

    /** A job id the ledger can keep and the job API can be asked about: 1 to 128 visible ASCII characters. */
    static boolean usableJobId(String jobId) {
        return jobId.length() <= 128 && jobId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private Duration backoff(int failures, ApiResult result) {
        OptionalLong retryAfter = result instanceof ApiResult.ErrorResponse error
                ? Backoff.retryAfterSeconds(error.retryAfter())
                : OptionalLong.empty();
        return Backoff.delay(failures, retry.initialBackoff(), retry.maxBackoff(), retryAfter, ThreadLocalRandom.current());
    }

    private boolean pastDeadline(Attempt attempt, Duration delay) {
        return clock.instant().plus(delay).isAfter(attempt.deadline());
    }

    /**
     * The backoff before the next try; while the circuit is open (an outage) no longer than the circuit's own
     * wait, since every try is then also a probe.
     */
    private Duration retryDelay(int failures, ApiResult result) {
        Duration delay = backoff(failures, result);
        return circuit.state() != CircuitBreaker.State.CLOSED && delay.compareTo(circuit.openFor()) > 0
                ? circuit.openFor() : delay;
    }

    /**
     * Waits out the delay, or less while the circuit is open: the moment it closes the cloud answers again, and
     * everything that waited for it goes at once instead of sleeping out a long backoff.
     */
    private <T> Uni<T> retryAfter(Duration delay, Supplier<Uni<T>> next) {
        return waitThen(delay, circuit.state() == CircuitBreaker.State.CLOSED ? null : circuit.whenClosed(), next);
    }

    private static <T> Uni<T> after(Duration delay, Supplier<Uni<T>> next) {
        return waitThen(delay, null, next);
    }

    /**
     * Runs {@code next} after the delay, or as soon as {@code circuitClosed} completes if that comes first (null:
     * no circuit to wait for). A delay under a millisecond goes at once: a timer refuses a zero delay.
     */
    static <T> Uni<T> waitThen(Duration delay, CompletionStage<Void> circuitClosed, Supplier<Uni<T>> next) {
        if (delay.toMillis() < 1) {
            return next.get();
        }
        Uni<Void> timer = Uni.createFrom().voidItem().onItem().delayIt().by(delay);
        if (circuitClosed == null) {
            return timer.chain(() -> next.get());
        }
        Uni<Void> closed = Uni.createFrom().completionStage(circuitClosed).replaceWithVoid()
                .emitOn(Infrastructure.getDefaultExecutor());
        return Uni.combine().any().of(timer, closed).chain(() -> next.get());
    }

    private static Submission.Refused refused(ApiResult result, ErrorClass errorClass, int attempts) {
        if (result instanceof ApiResult.ErrorResponse error) {
            return new Submission.Refused(error.errorCode(), error.errorMessage(), error.httpStatus(), errorClass,
                    attempts);
        }
        return new Submission.Refused(result.statusLabel().toUpperCase(Locale.ROOT), result.describe(), null,
                errorClass, attempts);
    }
}
