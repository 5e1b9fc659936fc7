package io.gaussrestore.result;

import java.util.Locale;

/** The status of a result event (contract: "Result event"). */
public enum ResultStatus {
    SUBMITTED, RUNNING, COMPLETED, FAILED, REJECTED, DUPLICATE, UNKNOWN,
    /** Waiting for its instance: a restore of ours runs on it, or it is busy with something else. */
    QUEUED,
    /** Cancelled while it waited; nothing was sent. */
    CANCELLED,
    /** A dry run's answer: what would happen to the request; nothing was claimed or sent. */
    DRY_RUN,
    /** Only in {@code GET /restores}: the request is being sent to the cloud right now; never published. */
    SUBMITTING;

    /** The CloudEvents type of a result with this status. */
    public String cloudEventType() {
        return "gaussdb.restore." + name().toLowerCase(Locale.ROOT);
    }
}
