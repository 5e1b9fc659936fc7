package io.gaussrestore.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JournalEntry(
        long seq, String operation, String method, String path, String projectId, String instanceId, String jobId,
        int status, String errorCode, Instant receivedAt, Instant respondedAt, String restore, String lost) {

    JournalEntry responded(Instant at) {
        return new JournalEntry(seq, operation, method, path, projectId, instanceId, jobId, status, errorCode,
                receivedAt, at, restore, lost);
    }
}
