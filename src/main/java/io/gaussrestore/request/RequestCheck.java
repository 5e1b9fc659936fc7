package io.gaussrestore.request;

import java.util.List;

/** What validation concluded about one request event. */
public sealed interface RequestCheck {

    /** The request_id when it was given and well-formed, else null: read once, by the validator. */
    String requestId();

    /** The request follows every rule. */
    record Valid(RestoreRequest request) implements RequestCheck {

        @Override
        public String requestId() {
            return request.requestId();
        }
    }

    /**
     * The request broke at least one rule; the fields that could be read are kept for the REJECTED result.
     *
     * @param violations at most {@link Bounded#MAX_VIOLATIONS}; when there were more, the last says how many are
     *     not listed
     * @param violationCount how many violations were found in all
     * @param requestId the request_id if it was given and well-formed, else null
     */
    record Invalid(List<Violation> violations, int violationCount, String requestId, String projectId,
            String instanceId, RestoreRequest.Audit audit) implements RequestCheck {
        public Invalid {
            violations = List.copyOf(violations);
        }
    }
}
