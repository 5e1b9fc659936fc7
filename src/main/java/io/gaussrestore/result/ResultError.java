package io.gaussrestore.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gaussrestore.request.Violation;
import java.util.List;

/**
 * Why a request did not succeed.
 *
 * @param httpStatus the cloud's HTTP status, null when there was no answer or no call
 * @param retryable whether the same request might succeed later
 * @param details every violated rule, for REJECTED
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResultError(
        String code, String message, Integer httpStatus, Boolean retryable, List<Violation> details) {

    public static final String VALIDATION_FAILED = "VALIDATION_FAILED";

    /** The request record is older than the de-duplication window: it may be a replay, so it is not sent. */
    public static final String RECORD_EXPIRED = "RECORD_EXPIRED";
    /** The restore policy does not allow the request; nothing was sent. */
    public static final String POLICY_DENIED = "POLICY_DENIED";
}
