package io.gaussrestore.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Where a QUEUED request stands in its instance's line.
 *
 * @param place 1 when it is next
 * @param waitingFor what it waits for, in words (the request or job ahead, or the instance's state)
 * @param deadline when it ends FAILED ({@code QUEUE_TIMEOUT}) if still waiting
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueInfo(
        @JsonProperty("place") Integer place,
        @JsonProperty("waiting_for") String waitingFor,
        @JsonProperty("queued_at") Instant queuedAt,
        @JsonProperty("deadline") Instant deadline) {}
