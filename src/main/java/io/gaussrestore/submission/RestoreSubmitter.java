package io.gaussrestore.submission;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.ApiResult;
import io.gaussrestore.gaussdb.CreateRestoreTablesBody;
import io.gaussrestore.gaussdb.ErrorClass;
import io.gaussrestore.gaussdb.ErrorClassifier;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.Operation;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.request.RestoreRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Submits one restore: retries what certainly started nothing, never repeats a POST whose outcome is unknown,
 * and reports every ending as a {@link Submission}.
 */
@ApplicationScoped
public class RestoreSubmitter {

    private final GaussDbRestoreClient client;
    private final RestoreConfig.Retry retry;
    private final RestoreMetrics metrics;
    private final Clock clock;

    public RestoreSubmitter(GaussDbRestoreClient client, RestoreConfig config, RestoreMetrics metrics, Clock clock) {
        this.client = client;
        this.retry = config.retry();
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Submits a restore; {@code mayAttempt} runs before every attempt (it renews the ledger's lease) and stops
     * the submission when it answers false.
     */
    public Uni<Submission> submit(RestoreRequest request, Supplier<Uni<Boolean>> mayAttempt) {
        return attempt(request, CreateRestoreTablesBody.from(request), 1, mayAttempt);
    }

    private Uni<Submission> attempt(RestoreRequest request, CreateRestoreTablesBody body, int attempt,
            Supplier<Uni<Boolean>> mayAttempt) {
        return mayAttempt.get().chain(allowed -> allowed
                ? client.createRestoreTables(request.projectId(), request.instanceId(), body)
                        .chain(result -> decide(request, body, attempt, result, mayAttempt))
                : Uni.createFrom().item(new Submission.Unknown(
                        "the request's claim was taken over before attempt " + attempt, attempt - 1)));
    }

    private Uni<Submission> decide(RestoreRequest request, CreateRestoreTablesBody body, int attempt, ApiResult result,
            Supplier<Uni<Boolean>> mayAttempt) {
        if (result instanceof ApiResult.Success success) {
            return Uni.createFrom().item(GaussDbRestoreClient.jobId(success)
                    .<Submission>map(jobId -> new Submission.Accepted(jobId, attempt, clock.instant()))
                    .orElseGet(() -> new Submission.Unknown("the cloud answered HTTP " + success.httpStatus()
                            + " without a job_id; whether a job started is unknown", attempt)));
        }
        ErrorClass errorClass = ErrorClassifier.classify(Operation.RESTORE, result);
        if (errorClass == ErrorClass.AMBIGUOUS) {
            return Uni.createFrom().item(new Submission.Unknown(describe(result)
                    + "; the restore may have started a job, so it is not sent again", attempt));
        }
        boolean worthRetrying = errorClass == ErrorClass.RETRY_SAFE || errorClass == ErrorClass.WAIT_FOR_INSTANCE;
        if (!worthRetrying || attempt >= retry.maxAttempts()) {
            return Uni.createFrom().item(refused(result, errorClass, attempt));
        }
        metrics.retry(Operation.RESTORE.label(), reason(result));
        OptionalLong retryAfter = result instanceof ApiResult.ErrorResponse error
                ? Backoff.retryAfterSeconds(error.retryAfter())
                : OptionalLong.empty();
        Duration delay = Backoff.delay(attempt, retry.initialBackoff(), retry.maxBackoff(), retryAfter,
                ThreadLocalRandom.current());
        return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                .chain(() -> attempt(request, body, attempt + 1, mayAttempt));
    }

    private static Submission refused(ApiResult result, ErrorClass errorClass, int attempts) {
        if (result instanceof ApiResult.ErrorResponse error) {
            return new Submission.Refused(error.errorCode(), error.errorMessage(), error.httpStatus(), errorClass,
                    attempts);
        }
        return new Submission.Refused(result.statusLabel().toUpperCase(Locale.ROOT), describe(result), null,
                errorClass, attempts);
    }

    private static String reason(ApiResult result) {
        return result instanceof ApiResult.ErrorResponse error ? error.statusLabel() : result.statusLabel();
    }

    private static String describe(ApiResult result) {
        if (result instanceof ApiResult.ErrorResponse error) {
            return "HTTP " + error.httpStatus() + " " + error.errorCode() + ": " + error.errorMessage();
        }
        if (result instanceof ApiResult.NoResponse none) {
            return "no answer from the cloud (" + none.kind().name().toLowerCase(Locale.ROOT) + "): " + none.message();
        }
        return result.toString();
    }
}
