package io.gaussrestore.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * What a dry run found: what would happen to the request if it were sent for real, and why.
 *
 * @param outcome WOULD_SUBMIT, WOULD_QUEUE, WOULD_BE_DUPLICATE or WOULD_FAIL
 * @param restoreWindows the instance's restorable windows, as the cloud answered them (absent when it did not)
 * @param restoreTimeInWindow whether restore_time lies in one of them (absent when unknown)
 * @param checks the checks that ran, in order, each with what it found
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DryRunReport(
        String outcome, String message, String duplicateOf, String waitingFor, List<Window> restoreWindows,
        Boolean restoreTimeInWindow, List<String> checks) {

    public static final String WOULD_SUBMIT = "WOULD_SUBMIT";
    public static final String WOULD_QUEUE = "WOULD_QUEUE";
    public static final String WOULD_BE_DUPLICATE = "WOULD_BE_DUPLICATE";
    public static final String WOULD_FAIL = "WOULD_FAIL";

    /** One restorable window of an instance. */
    public record Window(@JsonProperty("start_time") Instant start, @JsonProperty("end_time") Instant end) {}
}
