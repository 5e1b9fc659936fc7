package io.gaussrestore.result;

import java.util.Locale;

/** The status of a result event (contract: "Result event"). */
public enum ResultStatus {
    SUBMITTED, RUNNING, COMPLETED, FAILED, REJECTED, DUPLICATE, UNKNOWN,
    /** Only in {@code GET /restores}: the request is being sent to the cloud right now; never published. */
    SUBMITTING;

    /** The CloudEvents type of a result with this status. */
    public String cloudEventType() {
        return "gaussdb.restore." + name().toLowerCase(Locale.ROOT);
    }
}
