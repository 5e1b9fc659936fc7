package io.gaussrestore.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One call the simulator received, for tests and benchmarks.
 *
 * @param respondedAt when the answer left, after any injected latency; null while still in flight
 * @param restore for a restore POST with a readable body: its restore time and sorted tables, so that two POSTs
 *        of one restore can be told apart from two restores
 * @param lost {@code before} or {@code after} when the simulator withheld the answer of a restore POST (see
 *        {@link GaussDbSimulator#loseAnswers}); after: the job did start
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
        @JsonProperty("responded_at") Instant respondedAt,
        @JsonProperty("restore") String restore,
        @JsonProperty("lost") String lost) {

    JournalEntry responded(Instant at) {
        return new JournalEntry(seq, operation, method, path, projectId, instanceId, jobId, status, errorCode,
                receivedAt, at, restore, lost);
    }
}
