package io.gaussrestore.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** A result event as published on the result topic (contract: "Result event"). Absent fields are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RestoreResult(
        String requestId, String idempotencyKey, ResultStatus status, String projectId, String instanceId,
        String jobId, Integer attempts, String progress, String jobStatus, Instant receivedAt, Instant submittedAt,
        Instant finishedAt, ResultError error, QueueInfo queue, String duplicateOf, ResultStatus originalStatus,
        String requestedBy, String reason, String ticket, DryRunReport dryRun) {

    /** Starts a result for a request: its identity, where it was aimed, when it arrived and who asked. */
    public static Builder of(String requestId, ResultStatus status) {
        return new Builder(requestId, status);
    }

    /** Builds a result; only the fields that matter for a status are set. */
    public static final class Builder {
        private final String requestId;
        private final ResultStatus status;
        private String idempotencyKey;
        private String projectId;
        private String instanceId;
        private String jobId;
        private Integer attempts;
        private String progress;
        private String jobStatus;
        private Instant receivedAt;
        private Instant submittedAt;
        private Instant finishedAt;
        private ResultError error;
        private QueueInfo queue;
        private String duplicateOf;
        private ResultStatus originalStatus;
        private String requestedBy;
        private String reason;
        private String ticket;
        private DryRunReport dryRun;

        private Builder(String requestId, ResultStatus status) {
            this.requestId = requestId;
            this.status = status;
        }

        public Builder idempotencyKey(String value) { this.idempotencyKey = value; return this; }
        public Builder target(String project, String instance) { this.projectId = project; this.instanceId = instance; return this; }
        public Builder jobId(String value) { this.jobId = value; return this; }
        public Builder attempts(int value) { this.attempts = value; return this; }
        public Builder progress(String value) { this.progress = value; return this; }
        public Builder jobStatus(String value) { this.jobStatus = value; return this; }
        public Builder receivedAt(Instant value) { this.receivedAt = value; return this; }
        public Builder submittedAt(Instant value) { this.submittedAt = value; return this; }
        public Builder finishedAt(Instant value) { this.finishedAt = value; return this; }
        public Builder error(ResultError value) { this.error = value; return this; }
        public Builder queue(QueueInfo value) { this.queue = value; return this; }
        public Builder duplicateOf(String original, ResultStatus originalStatusValue) {
            this.duplicateOf = original;
            this.originalStatus = originalStatusValue;
            return this;
        }
        public Builder audit(String requestedByValue, String reasonValue, String ticketValue) {
            this.requestedBy = requestedByValue;
            this.reason = reasonValue;
            this.ticket = ticketValue;
            return this;
        }

        public Builder dryRun(DryRunReport value) { this.dryRun = value; return this; }

        public RestoreResult build() {
            return new RestoreResult(requestId, idempotencyKey, status, projectId, instanceId, jobId, attempts,
                    progress, jobStatus, receivedAt, submittedAt, finishedAt, error, queue, duplicateOf, originalStatus,
                    requestedBy, reason, ticket, dryRun);
        }
    }
}
