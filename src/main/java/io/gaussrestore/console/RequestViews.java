package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.age;
import static io.gaussrestore.console.ConsoleFormat.at;
import static io.gaussrestore.console.ConsoleFormat.parse;

import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.request.Violation;
import jakarta.ws.rs.POST;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The page models of requests (a row, a timeline, a form with its problems), built from ledger rows. */
final class RequestViews {

    private RequestViews() {}

    // ---- helpers ----------------------------------------------------------------------------------------

    static final String RETRY_OF = "retry of ";

    static ConsoleViews.FormPage formPage(RestoreForm form, List<Violation> violations, String action,
            String button, String intro, boolean asksRequestId) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        for (Violation violation : violations) {
            String field = RestoreForm.fieldOf(violation);
            if (field.isEmpty()) {
                general.add(violation.message());
            } else {
                // Which table a rule is about: its place in the request, as the service names it.
                String where = field.equals("restore_tables") && violation.field().contains("[")
                        ? violation.field().substring(2) + ": " : "";
                errors.computeIfAbsent(field, k -> new ArrayList<>()).add(where + violation.message());
            }
        }
        return new ConsoleViews.FormPage(form, errors, general, action, button, intro, asksRequestId);
    }

    static RestoreForm retryForm(LedgerEntry entry) {
        RestoreForm asked = RestoreForm.of(parse(entry.requestJson()));
        String reason = RETRY_OF + entry.requestId() + (asked.reason().isEmpty() ? "" : ": " + asked.reason());
        return new RestoreForm("", asked.projectId(), asked.instanceId(), asked.restoreTime(), asked.lastTableInfo(),
                asked.tables(), reason.length() > 1000 ? reason.substring(0, 1000) : reason, asked.ticket());
    }

    static List<ConsoleViews.Moment> timeline(LedgerEntry entry) {
        List<ConsoleViews.Moment> moments = new ArrayList<>();
        moments.add(new ConsoleViews.Moment(at(entry.receivedAt()), "RECEIVED", "asked by "
                + Optional.ofNullable(entry.requestedBy()).orElse("(not said)") + " (record " + entry.source() + ")"));
        if (entry.queuedAt() != null) {
            moments.add(new ConsoleViews.Moment(at(entry.queuedAt()), "QUEUED", "place " + entry.queuePlace()
                    + " in the line of its instance" + (entry.waitingFor() == null ? "" : "; waits for " + entry.waitingFor())));
        }
        if (entry.submittedAt() != null) {
            moments.add(new ConsoleViews.Moment(at(entry.submittedAt()), "SUBMITTED", "job " + entry.jobId() + " after "
                    + entry.attempts() + " POST(s)"));
        }
        LedgerState state = entry.state();
        if (state == LedgerState.RUNNING) {
            moments.add(new ConsoleViews.Moment(at(entry.updatedAt()), "RUNNING", "progress "
                    + Optional.ofNullable(entry.progress()).orElse("not reported") + ", job status " + entry.jobStatus()));
        } else if (state != LedgerState.RECEIVED && state != LedgerState.QUEUED && state != LedgerState.SUBMITTED) {
            String text = entry.errorCode() == null ? "" : entry.errorCode() + (entry.errorMessage() == null ? ""
                    : ": " + entry.errorMessage());
            if (state == LedgerState.DUPLICATE) {
                text = "of " + entry.duplicateOf() + "; nothing was sent";
            }
            Instant at = entry.finishedAt() != null ? entry.finishedAt() : entry.updatedAt();
            moments.add(new ConsoleViews.Moment(at(at), state.name(), text));
        }
        return moments;
    }

    static ConsoleViews.Row row(LedgerEntry entry, Instant now) {
        String note = switch (entry.state()) {
            case QUEUED -> "place " + entry.queuePlace() + (entry.waitingFor() == null ? "" : ", waits for " + entry.waitingFor());
            case SUBMITTED, RUNNING -> "job " + entry.jobId() + (entry.progress() == null ? "" : " " + entry.progress());
            case DUPLICATE -> "of " + entry.duplicateOf();
            default -> entry.errorCode() == null ? "" : entry.errorCode()
                    + (Boolean.TRUE.equals(entry.retryable()) ? " (retryable)" : "");
        };
        return new ConsoleViews.Row(entry.requestId(), entry.state().name(), entry.projectId(), entry.instanceId(),
                entry.requestedBy(), at(entry.receivedAt()), age(Duration.between(entry.receivedAt(), now)), note);
    }
}
