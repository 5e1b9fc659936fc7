package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.MOMENT;
import static io.gaussrestore.console.ConsoleFormat.encode;
import static io.gaussrestore.console.RequestViews.formPage;
import static io.gaussrestore.console.RequestViews.row;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.InstanceInfo;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.ledger.LedgerSearch;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.request.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What the person on call needs to decide whether to send a FAILED or UNKNOWN request again. */
@ApplicationScoped
public class RetryAdvice {

    @Inject LedgerReads ledger;
    @Inject GaussDbRestoreClient cloud;
    @Inject Clock clock;

    /** The retry page of a FAILED or UNKNOWN request: the risk, the instance now, its recent requests, the form. */

    ConsoleViews.Retry view(LedgerEntry entry, RestoreForm form, List<Violation> violations) {
        Instant now = clock.instant();
        String risk = entry.state() == LedgerState.UNKNOWN
                ? "Whether the cloud started a job for " + entry.requestId() + " is unknown: " + entry.errorMessage()
                        + " A job may be running or done already. Before sending again, open the instance in the Huawei "
                        + "Cloud console: status restoring, or a RestoreTables task in the Task Center after "
                        + (entry.submittedAt() == null ? "the request was received" : MOMENT.format(entry.submittedAt()))
                        + ", means a job started; then do not send again. The same restore stays claimed by this "
                        + "request, so a new one must differ (for example in a new_name)."
                : "Request " + entry.requestId() + " FAILED (" + entry.errorCode() + ": " + entry.errorMessage() + ")"
                        + (Boolean.TRUE.equals(entry.retryable()) ? "; the error is one that may pass." : "; the error "
                        + "is not one that passes by itself: correct the request before sending it again.")
                        + " No job was started for it; a new request starts one.";
        String instanceNow;
        try {
            ApiResult look = cloud.showInstance(entry.projectId(), entry.instanceId()).await().atMost(Duration.ofSeconds(10));
            instanceNow = look instanceof ApiResult.Success success
                    ? InstanceInfo.parse(success.body()).map(i -> "status " + i.status()).orElse("an answer without a status")
                    : "could not be read (" + look.getClass().getSimpleName() + ")";
        } catch (RuntimeException e) {
            instanceNow = "could not be read (" + e.getClass().getSimpleName() + ")";
        }
        List<ConsoleViews.Row> recent = ledger.search(new LedgerSearch(null, entry.instanceId(), null, List.of(), null,
                null, null), 0, 5).stream().map(e -> row(e, now)).toList();
        return new ConsoleViews.Retry(row(entry, now), risk, "The cloud says the instance has " + instanceNow + ".",
                recent, formPage(form, violations, ConsoleSessions.PATH + "/requests/" + encode(entry.requestId())
                        + "/retry", "Send as a new request", "The request as it was, under a new request_id linked to "
                        + entry.requestId() + " by its reason; correct what needs correcting.", true));
    }
}
