package io.gaussrestore.gaussdb;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.cloud.ApiErrorBody;
import io.gaussrestore.cloud.Operation;
import java.util.Set;

/**
 * Decides what a failed call means, from the facts of the GaussDB API reference (section 5 of
 * docs/gaussdb-api.md): pure, no I/O.
 */
public final class ErrorClassifier {

    /** 409 codes meaning "another operation runs on the instance" (Terraform's list included). */
    static final Set<String> OPERATION_IN_PROGRESS = Set.of(
            "DBS.200011", "DBS.200019", "DBS.200047", "DBS.201202", "DBS.212006", "DBS.201205",
            "DBS.201015", "DBS.05000084", "DBS.212033");

    /** 400 codes meaning "the instance status does not allow it now". */
    static final Set<String> INSTANCE_NOT_READY = Set.of("DBS.200086", "DBS.201014");

    /** The job-status code a new job answers with for its first seconds. */
    public static final String JOB_NOT_FOUND = "DBS.200543";

    /** The 403 code of an invalid token, which a renewed token cures. */
    static final String INVALID_TOKEN = "DBS.280056";

    private ErrorClassifier() {}

    /** Classifies a result that is not a success. */
    public static ErrorClass classify(Operation operation, ApiResult result) {
        if (result instanceof ApiResult.NoResponse noResponse) {
            return classifyNoResponse(operation, noResponse);
        }
        if (result instanceof ApiResult.ErrorResponse error) {
            return classifyResponse(operation, error);
        }
        throw new IllegalArgumentException("a success is not an error");
    }

    private static ErrorClass classifyNoResponse(Operation operation, ApiResult.NoResponse result) {
        if (!result.requestSent()) {
            return ErrorClass.RETRY_SAFE;
        }
        return operation == Operation.RESTORE ? ErrorClass.AMBIGUOUS : ErrorClass.RETRY_SAFE;
    }

    private static ErrorClass classifyResponse(Operation operation, ApiResult.ErrorResponse result) {
        int status = result.httpStatus();
        String code = result.error().map(ApiErrorBody::errorCode).orElse("");
        boolean serviceBody = result.error().map(ApiErrorBody::isServiceCode).orElse(false);
        if (status == 401) {
            return ErrorClass.REFRESH_AUTH;
        }
        if (status == 403) {
            return INVALID_TOKEN.equals(code) ? ErrorClass.REFRESH_AUTH : ErrorClass.PERMANENT;
        }
        if (status == 429) {
            return ErrorClass.RETRY_SAFE;
        }
        if (status == 409) {
            return OPERATION_IN_PROGRESS.contains(code) ? ErrorClass.WAIT_FOR_INSTANCE : ErrorClass.PERMANENT;
        }
        if (status == 400 && INSTANCE_NOT_READY.contains(code)) {
            return ErrorClass.WAIT_FOR_INSTANCE;
        }
        if (status == 400 && JOB_NOT_FOUND.equals(code) && operation == Operation.JOB) {
            return ErrorClass.RETRY_SAFE;
        }
        if (status >= 500) {
            // A DBS body proves the service itself refused; a bare gateway 5xx may hide a job that started.
            return serviceBody || operation != Operation.RESTORE ? ErrorClass.RETRY_SAFE : ErrorClass.AMBIGUOUS;
        }
        return ErrorClass.PERMANENT;
    }
}
