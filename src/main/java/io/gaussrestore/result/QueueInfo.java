package io.gaussrestore.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * Where a QUEUED request stands in its instance's line.
 *
 * @param place 1 when it is next
 * @param waitingFor what it waits for, in words (the request or job ahead, or the instance's state)
 * @param deadline when it ends FAILED ({@code QUEUE_TIMEOUT}) if still waiting
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QueueInfo(
        Integer place, String waitingFor, Instant queuedAt, Instant deadline) {}
