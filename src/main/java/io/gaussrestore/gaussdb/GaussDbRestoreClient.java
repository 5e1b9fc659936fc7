package io.gaussrestore.gaussdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.metrics.RestoreMetrics;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
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
    private final RestoreConfig.GaussDb config;
    private final RestoreMetrics metrics;
    private final SecretRedactor redactor;

    public GaussDbRestoreClient(RestoreConfig config, RestoreMetrics metrics) {
        this.config = config.gaussdb();
        this.metrics = metrics;
        this.redactor = new SecretRedactor(java.util.List.of(this.config.authToken().orElse("")));
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(this.config.endpoint())
                .connectTimeout(this.config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(this.config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .property("microprofile.rest.client.disableDefaultMapper", true)
                .build(GaussDbRestApi.class);
    }

    /** CreateRestoreTables: answers the job_id in a {@link ApiResult.Success}, or what went wrong. */
    public Uni<ApiResult> createRestoreTables(String projectId, String instanceId, CreateRestoreTablesBody body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the restore body is plain strings and lists", e);
        }
        long start = System.nanoTime();
        return api.createRestoreTables(projectId, instanceId, config.authToken().orElse(null), config.language(), bytes)
                .map(GaussDbRestoreClient::toResult)
                .onFailure().recoverWithItem(GaussDbRestoreClient::fromFailure)
                .map(this::redact)
                .invoke(result -> record(Operation.RESTORE, "instance " + instanceId, result, start));
    }

    /** ShowGaussMySqlJobInfo: a {@link ApiResult.Success} whose body {@link JobInfo#parse} reads, or what went wrong. */
    public Uni<ApiResult> showJob(String projectId, String jobId) {
        long start = System.nanoTime();
        return api.showJob(projectId, jobId, config.authToken().orElse(null), config.language())
                .map(GaussDbRestoreClient::toResult)
                .onFailure().recoverWithItem(GaussDbRestoreClient::fromFailure)
                .map(this::redact)
                .invoke(result -> record(Operation.JOB, jobId, result, start));
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
    }

    private ApiResult redact(ApiResult result) {
        if (result instanceof ApiResult.ErrorResponse error) {
            return new ApiResult.ErrorResponse(error.httpStatus(),
                    error.error().map(body -> new ApiErrorBody(body.errorCode(), redactor.redact(body.errorMsg()))),
                    error.retryAfter(), error.cloudRequestId());
        }
        if (result instanceof ApiResult.NoResponse none) {
            return new ApiResult.NoResponse(none.kind(), none.requestSent(), redactor.redact(none.message()));
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
