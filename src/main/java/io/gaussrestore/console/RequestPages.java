package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.blank;
import static io.gaussrestore.console.ConsoleFormat.blank;
import static io.gaussrestore.console.ConsoleFormat.link;
import static io.gaussrestore.console.ConsoleFormat.link;
import static io.gaussrestore.console.ConsoleFormat.moment;
import static io.gaussrestore.console.ConsoleFormat.moment;
import static io.gaussrestore.console.ConsoleFormat.nullIfEmpty;
import static io.gaussrestore.console.ConsoleFormat.nullIfEmpty;
import static io.gaussrestore.console.ConsoleFormat.parse;
import static io.gaussrestore.console.ConsoleFormat.parse;
import static io.gaussrestore.console.ConsoleFormat.pretty;
import static io.gaussrestore.console.ConsoleFormat.pretty;
import static io.gaussrestore.console.ConsoleFormat.prettyText;
import static io.gaussrestore.console.ConsoleFormat.prettyText;
import static io.gaussrestore.console.ConsoleFormat.searchLink;
import static io.gaussrestore.console.ConsoleFormat.searchLink;
import static io.gaussrestore.console.RequestViews.RETRY_OF;
import static io.gaussrestore.console.RequestViews.RETRY_OF;
import static io.gaussrestore.console.RequestViews.row;
import static io.gaussrestore.console.RequestViews.row;
import static io.gaussrestore.console.RequestViews.timeline;
import static io.gaussrestore.console.RequestViews.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.ledger.LedgerSearch;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.request.RequestIds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The console's pages of requests: the search, and one request with its timeline. */
@ApplicationScoped
public class RequestPages {

    static final Set<LedgerState> RETRYABLE = EnumSet.of(LedgerState.FAILED, LedgerState.UNKNOWN);

    @Inject LedgerReads ledger;
    @Inject RestoreConfig config;
    @Inject Clock clock;

    /** A page of the search; a filter it cannot read is named in the page's problem, and nothing is searched. */
    ConsoleViews.Search search(String requestId, String instanceId, String projectId, String status,
            String requestedBy, String from, String until, int pageNumber) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("request_id", blank(requestId));
        filters.put("instance_id", blank(instanceId));
        filters.put("project_id", blank(projectId));
        filters.put("status", blank(status));
        filters.put("requested_by", blank(requestedBy));
        filters.put("from", blank(from));
        filters.put("until", blank(until));
        List<String> statuses = java.util.Arrays.stream(LedgerState.values()).map(Enum::name).toList();
        List<String> problems = new ArrayList<>();
        List<LedgerState> states = List.of();
        if (!filters.get("status").isEmpty()) {
            try {
                states = List.of(LedgerState.valueOf(filters.get("status").toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add("status must be one of " + statuses);
            }
        }
        Instant fromAt = moment(filters.get("from"), "from", problems);
        Instant untilAt = moment(filters.get("until"), "until", problems);
        int pageSize = config.console().pageSize();
        int current = Math.max(1, Math.min(pageNumber, 10_000));
        List<ConsoleViews.Row> rows = List.of();
        String previous = null;
        String next = null;
        if (problems.isEmpty()) {
            LedgerSearch search = new LedgerSearch(nullIfEmpty(filters.get("request_id")),
                    nullIfEmpty(filters.get("instance_id")), nullIfEmpty(filters.get("project_id")), states,
                    nullIfEmpty(filters.get("requested_by")), fromAt, untilAt);
            Instant now = clock.instant();
            List<LedgerEntry> found = ledger.search(search, (current - 1) * pageSize, pageSize + 1);
            rows = found.stream().limit(pageSize).map(e -> row(e, now)).toList();
            previous = current > 1 ? searchLink(filters, current - 1) : null;
            next = found.size() > pageSize ? searchLink(filters, current + 1) : null;
        }
        return new ConsoleViews.Search(filters, statuses, rows, previous, next,
                problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** One request: its row, its timeline, what it asked and what came of it, and what can be done next. */
    ConsoleViews.Detail detail(LedgerEntry entry) {
        Instant now = clock.instant();
        boolean dryRun = entry.state() == LedgerState.DRY_RUN;
        RestoreForm dryRunForm = null;
        JsonNode request = parse(entry.requestJson());
        if (dryRun && request != null) {
            RestoreForm asked = RestoreForm.of(request);
            dryRunForm = new RestoreForm("", asked.projectId(), asked.instanceId(), asked.restoreTime(),
                    asked.lastTableInfo(), asked.tables(), asked.reason(), asked.ticket());
        }
        String retryOf = entry.reason() != null && entry.reason().startsWith(RETRY_OF)
                ? entry.reason().substring(RETRY_OF.length()).split(":", 2)[0].strip()
                : null;
        return new ConsoleViews.Detail(row(entry, now), timeline(entry), pretty(request, entry),
                entry.jobId(), entry.attempts(), entry.errorCode(), entry.errorMessage(), prettyText(entry.errorDetails()),
                entry.retryable(), entry.reason(), entry.ticket(), entry.duplicateOf(),
                retryOf != null && RequestIds.wellFormed(retryOf) ? retryOf : null,
                RETRYABLE.contains(entry.state()) && request != null, entry.state() == LedgerState.QUEUED, dryRun,
                dryRunForm, link(config.console().traceLink(), entry), link(config.console().logLink(), entry));
    }
}
