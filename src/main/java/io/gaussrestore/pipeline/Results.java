package io.gaussrestore.pipeline;

import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.result.ResultError;
import io.gaussrestore.result.ResultStatus;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.submission.Submission;
import java.time.Instant;

/** The one place where requests and submissions become result events. */
final class Results {

    private Results() {}

    static RestoreResult rejected(String requestId, RequestCheck.Invalid invalid, Instant receivedAt) {
        return RestoreResult.of(requestId, ResultStatus.REJECTED)
                .target(invalid.projectId(), invalid.instanceId())
                .receivedAt(receivedAt)
                .error(new ResultError(ResultError.VALIDATION_FAILED,
                        invalid.violations().size() + " rule(s) broken; nothing was sent to the cloud",
                        null, false, invalid.violations()))
                .audit(invalid.audit().requestedBy(), invalid.audit().reason(), invalid.audit().ticket())
                .build();
    }

    static RestoreResult submitted(String requestId, String businessKey, RestoreRequest request, Instant receivedAt,
            Submission submission) {
        RestoreResult.Builder result;
        if (submission instanceof Submission.Accepted accepted) {
            result = RestoreResult.of(requestId, ResultStatus.SUBMITTED)
                    .jobId(accepted.jobId())
                    .submittedAt(accepted.submittedAt());
        } else if (submission instanceof Submission.Refused refused) {
            result = RestoreResult.of(requestId, ResultStatus.FAILED)
                    .error(new ResultError(refused.errorCode(), refused.message(), refused.httpStatus(),
                            refused.errorClass().retryable(), null));
        } else {
            Submission.Unknown unknown = (Submission.Unknown) submission;
            result = RestoreResult.of(requestId, ResultStatus.UNKNOWN)
                    .error(new ResultError("OUTCOME_UNKNOWN", unknown.message(), null, null, null));
        }
        RestoreRequest.Audit audit = request.audit();
        return result.idempotencyKey(businessKey)
                .target(request.projectId(), request.instanceId())
                .attempts(submission.attempts())
                .receivedAt(receivedAt)
                .audit(audit.requestedBy(), audit.reason(), audit.ticket())
                .build();
    }
}
