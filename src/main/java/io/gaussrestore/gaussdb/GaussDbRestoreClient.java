package io.gaussrestore.gaussdb;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.cloud.ApiErrorBody;
import io.gaussrestore.cloud.Operation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.auth.AuthException;
import io.gaussrestore.auth.Credentials;
import io.gaussrestore.auth.TokenSource;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.throttling.CircuitBreaker;
import io.gaussrestore.throttling.RateLimiter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The GaussDB API as this service uses it: every call measured, logged with the cloud's X-Request-Id (never
 * with credentials), and turned into an {@link ApiResult} instead of an exception.
 */
@ApplicationScoped
public class GaussDbRestoreClient {

    private static final Logger LOG = Logger.getLogger(GaussDbRestoreClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GaussDbRestApi api;
    private final RestoreMetrics metrics;
    private final TokenSource tokens;
    private final SecretRedactor redactor;
    private final RateLimiter limiter;
    private final CircuitBreaker circuit;

    public GaussDbRestoreClient(RestoreMetrics metrics, CloudClients clients, TokenSource tokens,
            Credentials credentials, RateLimiter limiter, CircuitBreaker circuit) {
        this.metrics = metrics;
        this.tokens = tokens;
        this.limiter = limiter;
        this.circuit = circuit;
        this.redactor = new SecretRedactor(credentials.secrets());
        this.api = clients.gaussdb();
    }

    /** CreateRestoreTables: answers the job_id in a {@link ApiResult.Success}, or what went wrong. */
    public Uni<ApiResult> createRestoreTables(String projectId, String instanceId, CreateRestoreTablesBody body) {
        return createRestoreTables(projectId, instanceId, body, () -> true);
    }

    /**
     * As {@link #createRestoreTables(String, String, CreateRestoreTablesBody)}, asking {@code sendNow} once the rate
     * budget allows the call, just before it leaves: false withdraws it (a {@link ApiResult.NoResponse} of kind
     * NOT_SENT), so that a claim given back during a long rate wait is never sent after all.
     */
    public Uni<ApiResult> createRestoreTables(String projectId, String instanceId, CreateRestoreTablesBody body,
            BooleanSupplier sendNow) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the restore body is plain strings and lists", e);
        }
        return call(Operation.RESTORE, projectId, "instance " + instanceId,
                token -> sendNow.getAsBoolean()
                        ? api.createRestoreTables(projectId, instanceId, token, bytes)
                        : Uni.createFrom().failure(new Withdrawn()));
    }

    /** A call withdrawn before it left. */
    private static final class Withdrawn extends RuntimeException {
        Withdrawn() {
            super("withdrawn before it was sent: its claim was given back", null, false, false);
        }
    }

    /** ShowGaussMySqlJobInfo: a {@link ApiResult.Success} whose body {@link JobInfo#parse} reads, or what went wrong. */
    public Uni<ApiResult> showJob(String projectId, String jobId) {
        return call(Operation.JOB, projectId, jobId, token -> api.showJob(projectId, jobId, token));
    }

    /** ShowGaussMySqlInstanceInfo: a {@link ApiResult.Success} whose body {@link InstanceInfo#parse} reads. */
    public Uni<ApiResult> showInstance(String projectId, String instanceId) {
        return call(Operation.INSTANCE, projectId, "instance " + instanceId,
                token -> api.showInstance(projectId, instanceId, token));
    }

    /** ShowGaussMySqlRestoreTime: a {@link ApiResult.Success} whose body {@link RestoreWindows#parse} reads. */
    public Uni<ApiResult> restoreTimes(String projectId, String instanceId) {
        return call(Operation.RESTORE_TIME, projectId, "instance " + instanceId,
                token -> api.showRestoreTimes(projectId, instanceId, null, token));
    }

    /**
     * One call with the current token; when the credentials are refused (401, DBS.280056) the token is renewed
     * once and the call repeated once: a refused request never reached the service, so repeating it is safe.
     * When no valid credentials can be had, the answer is a 401 whose message says why.
     */
    private Uni<ApiResult> call(Operation operation, String projectId, String target,
            Function<String, Uni<Response>> send) {
        return once(operation, projectId, target, send, null)
                .onFailure(AuthException.class).recoverWithItem(e -> new ApiResult.ErrorResponse(401,
                        Optional.of(new ApiErrorBody("AUTH.CREDENTIALS_REFUSED", redactor.redact(e.getMessage()))),
                        null, null));
    }

    /**
     * One call within the project's rate budget, the token taken only once the budget allows the call (a long
     * wait must not outlive the token); its result also feeds the circuit breaker.
     */
    private Uni<ApiResult> once(Operation operation, String projectId, String target,
            Function<String, Uni<Response>> send, String rejectedToken) {
        return limiter.acquire(projectId, operation)
                .chain(() -> rejectedToken == null ? tokens.token() : tokens.renew(rejectedToken))
                .chain(token -> {
                    long start = System.nanoTime();
                    return send.apply(token)
                            .map(GaussDbRestoreClient::toResult)
                            .onFailure().recoverWithItem(GaussDbRestoreClient::fromFailure)
                            .map(result -> redact(result, token))
                            .invoke(result -> {
                                if (result instanceof ApiResult.NoResponse none
                                        && none.kind() == ApiResult.NoResponse.Kind.NOT_SENT) {
                                    return; // nothing left: nothing to measure, nothing for the circuit
                                }
                                record(operation, target, result, start);
                                circuit.record(result);
                                if (result instanceof ApiResult.ErrorResponse error && error.httpStatus() == 429) {
                                    limiter.throttled(projectId, operation, error.errorMessage(), error.retryAfter());
                                }
                            })
                            .chain(result -> rejectedToken == null && refused(operation, result)
                                    ? once(operation, projectId, target, send, token == null ? "" : token)
                                    : Uni.createFrom().item(result));
                });
    }

    private static boolean refused(Operation operation, ApiResult result) {
        return result instanceof ApiResult.ErrorResponse
                && ErrorClassifier.classify(operation, result) == ErrorClass.REFRESH_AUTH;
    }

    /** Reads the job_id out of a CreateRestoreTables success body; empty when the body has none. */
    public static java.util.Optional<String> jobId(ApiResult.Success success) {
        try {
            JsonNode node = JSON.readTree(success.body());
            JsonNode jobId = node == null ? null : node.get("job_id");
            return jobId != null && jobId.isTextual() && !jobId.textValue().isBlank()
                    ? java.util.Optional.of(jobId.textValue())
                    : java.util.Optional.empty();
        } catch (JsonProcessingException e) {
            return java.util.Optional.empty();
        }
    }

    private void record(Operation operation, String target, ApiResult result, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        String errorCode = result instanceof ApiResult.ErrorResponse error ? error.errorCode() : "";
        metrics.apiCall(operation.label(), result.statusLabel(), errorCode, java.time.Duration.ofNanos(nanos));
        String instanceId = target.startsWith("instance ") ? target.substring("instance ".length()) : null;
        String jobId = operation == Operation.JOB ? target : null;
        RequestLog.with(null, instanceId, jobId, () -> {
            if (result instanceof ApiResult.Success success) {
                LOG.infof("%s %s: HTTP %d in %d ms, X-Request-Id %s", operation.label(), target,
                        success.httpStatus(), TimeUnit.NANOSECONDS.toMillis(nanos), success.cloudRequestId());
            } else if (result instanceof ApiResult.ErrorResponse error) {
                LOG.warnf("%s %s: HTTP %d %s \"%s\" in %d ms, X-Request-Id %s", operation.label(), target,
                        error.httpStatus(), error.errorCode(), error.errorMessage(),
                        TimeUnit.NANOSECONDS.toMillis(nanos), error.cloudRequestId());
            } else if (result instanceof ApiResult.NoResponse none) {
                LOG.warnf("%s %s: no answer (%s, request sent: %s) after %d ms: %s", operation.label(), target,
                        none.kind(), none.requestSent(), TimeUnit.NANOSECONDS.toMillis(nanos), none.message());
            }
        });
    }

    private ApiResult redact(ApiResult result, String token) {
        if (result instanceof ApiResult.ErrorResponse error) {
            return new ApiResult.ErrorResponse(error.httpStatus(),
                    error.error().map(body -> new ApiErrorBody(body.errorCode(), redactor.redact(body.errorMsg(), token))),
                    error.retryAfter(), error.cloudRequestId());
        }
        if (result instanceof ApiResult.NoResponse none) {
            return new ApiResult.NoResponse(none.kind(), none.requestSent(), redactor.redact(none.message(), token));
        }
        return result;
    }

    static ApiResult toResult(Response response) {
        try (response) {
            int status = response.getStatus();
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            String cloudRequestId = response.getHeaderString("X-Request-Id");
            if (status >= 200 && status < 300) {
                return new ApiResult.Success(status, body, cloudRequestId);
            }
            return new ApiResult.ErrorResponse(status, ApiErrorBody.parse(body),
                    response.getHeaderString("Retry-After"), cloudRequestId);
        }
    }

    static ApiResult fromFailure(Throwable failure) {
        if (failure instanceof Withdrawn) {
            return new ApiResult.NoResponse(ApiResult.NoResponse.Kind.NOT_SENT, false, failure.getMessage());
        }
        if (failure instanceof WebApplicationException web && web.getResponse() != null) {
            return toResult(web.getResponse());
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return new ApiResult.NoResponse(ApiResult.NoResponse.Kind.CONNECT_FAILED, false, describe(t));
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().contains("Timeout")) {
                return new ApiResult.NoResponse(ApiResult.NoResponse.Kind.TIMEOUT, true, describe(t));
            }
        }
        return new ApiResult.NoResponse(ApiResult.NoResponse.Kind.CONNECTION_BROKEN, true, describe(failure));
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
