package io.gaussrestore.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.request.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What is wrong with a restore form before anything is sent: unreadable fields, the rules, a held restore. */
@ApplicationScoped
public class FormChecks {

    @Inject LedgerReads ledger;
    @Inject RestoreRequestValidator validator;
    @Inject Clock clock;

    /**
     * What the form's checks found: its violations, and the request they judged with its one verdict (sent as it
     * is when there is no violation, so that the door does not judge it again).
     */
    record Checked(List<Violation> violations, ObjectNode json, RequestCheck check) {}

    /**
     * The form's violations: what could not be read, the service's rules, and for a real request the duplicate
     * check (a restore still held by another request would be answered DUPLICATE: nothing would happen).
     */
    Checked check(RestoreForm form, String requestIdOverride, String retryOf, String caller) {
        RestoreForm.Built built = form.build(requestIdOverride, requestIdOverride != null && requestIdOverride.isEmpty());
        List<Violation> violations = new ArrayList<>();
        // Every field is checked at once: what could not be read, and the service's rules on the rest.
        Set<String> unread = new java.util.HashSet<>();
        ObjectNode json;
        if (built instanceof RestoreForm.Built.Unreadable unreadable) {
            violations.addAll(unreadable.violations());
            unreadable.violations().forEach(v -> unread.add(RestoreForm.fieldOf(v)));
            json = unreadable.partial().deepCopy();
        } else {
            json = ((RestoreForm.Built.Event) built).json().deepCopy();
        }
        json.put("requested_by", caller);
        RequestCheck check = validator.check(json);
        // The request_id's shape is one of the service's rules; whether it was used before is not.
        if (check.requestId() != null && ledger.find(check.requestId()).isPresent()) {
            violations.add(new Violation("$.request_id", "request_id " + check.requestId() + " was used "
                    + "before; a request under it would be answered DUPLICATE. Choose another or leave it empty."));
        }
        if (check instanceof RequestCheck.Invalid invalid) {
            invalid.violations().stream().filter(v -> !unread.contains(RestoreForm.fieldOf(v))).forEach(violations::add);
        } else if (requestIdOverride == null && unread.isEmpty()) {
            RequestCheck.Valid valid = (RequestCheck.Valid) check;
            ledger.holderOf(BusinessKey.of(valid.request()), clock.instant()).ifPresent(holder -> violations.add(
                    new Violation("$.restore_tables", "the same restore (instance, time and tables) is held by request "
                            + holder.requestId() + " (" + holder.state() + ")" + (holder.requestId().equals(retryOf)
                                    ? ", the one being sent again" : "") + ": sent as it is, it would be answered "
                            + "DUPLICATE and nothing would happen. Change a new_name to restore again.")));
        }
        return new Checked(violations, json, check);
    }
}
