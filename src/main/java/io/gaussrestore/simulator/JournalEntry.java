package io.gaussrestore.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One call the simulator received, for tests and benchmarks.
 *
 * @param respondedAt when the answer left, after any injected latency; null while still in flight
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JournalEntry(
        @JsonProperty("seq") long seq,
        @JsonProperty("operation") String operation,
        @JsonProperty("method") String method,
        @JsonProperty("path") String path,
        @JsonProperty("project_id") String projectId,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("status") int status,
        @JsonProperty("error_code") String errorCode,
        @JsonProperty("received_at") Instant receivedAt,
        @JsonProperty("responded_at") Instant respondedAt) {

    JournalEntry responded(Instant at) {
        return new JournalEntry(seq, operation, method, path, projectId, instanceId, jobId, status, errorCode,
                receivedAt, at);
    }
}
