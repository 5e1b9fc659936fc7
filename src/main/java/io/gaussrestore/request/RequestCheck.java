package io.gaussrestore.request;

import java.util.List;

/** What validation concluded about one request event. */
public sealed interface RequestCheck {

    /** The request follows every rule. */
    record Valid(RestoreRequest request) implements RequestCheck {}

    /**
     * The request broke at least one rule; the fields that could be read are kept for the REJECTED result.
     *
     * @param requestId the request_id if it was given and well-formed, else null
     */
    record Invalid(List<Violation> violations, String requestId, String projectId, String instanceId,
            RestoreRequest.Audit audit) implements RequestCheck {
        public Invalid {
            violations = List.copyOf(violations);
        }
    }
}
