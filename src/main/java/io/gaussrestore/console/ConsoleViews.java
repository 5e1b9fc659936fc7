package io.gaussrestore.console;

import io.quarkus.qute.TemplateData;
import java.util.List;
import java.util.Map;

/** What the console's pages show, already in words: the templates only lay it out (and escape it). */
public final class ConsoleViews {

    private ConsoleViews() {}

    /** Who is looking, what they may do, and the token their forms carry. */
    @TemplateData
    public record Page(String title, String caller, boolean requester, String formToken, int refreshSeconds) {}

    /** One request in a list. */
    @TemplateData
    public record Row(String requestId, String status, String projectId, String instanceId, String requestedBy,
            String received, String age, String note) {}

    /** Requests by status over the last hour and day. */
    @TemplateData
    public record Count(String status, long lastHour, long lastDay) {}

    /** One instance's line of waiting requests. */
    @TemplateData
    public record QueueLine(String instanceId, List<Row> waiting) {}

    /** One project's rate budget for one API. */
    @TemplateData
    public record Budget(String projectId, String operation, String tokens, String ratePerMinute, String learnedLimit,
            String lastThrottled) {}

    @TemplateData
    public record Overview(List<Count> counts, List<Row> attention, List<Row> inFlight, List<QueueLine> queues,
            String circuit, List<Budget> budgets, String consumerLag, String at) {}

    /** One moment of a request's life. */
    @TemplateData
    public record Moment(String at, String status, String text) {}

    @TemplateData
    public record Detail(Row row, List<Moment> timeline, String requestJson, String jobId, int attempts,
            String errorCode, String errorMessage, String errorDetails, Boolean retryable, String reason,
            String ticket, String duplicateOf, String retryOf, boolean canRetry, boolean canCancel, boolean dryRun,
            RestoreForm dryRunForm, String traceLink, String logLink) {}

    /** The search form as filled in, the rows found, and the links to the pages around. */
    @TemplateData
    public record Search(Map<String, String> filters, List<String> statuses, List<Row> rows, String previous,
            String next, String error) {}

    /**
     * The new-restore form, its errors by field ("" for those above it), where it posts, and whether it asks for a
     * request_id (not before a dry run: the dry run has an id of its own and the real request gets a new one).
     */
    @TemplateData
    public record FormPage(RestoreForm form, Map<String, List<String>> errors, List<String> general, String action,
            String button, String intro, boolean asksRequestId) {

        public List<String> errorsOf(String field) {
            return errors.getOrDefault(field, List.of());
        }
    }

    /** The confirmation before a request is sent again. */
    @TemplateData
    public record Retry(Row original, String risk, String instanceNow, List<Row> instanceRecent, FormPage form) {}
}
