package io.gaussrestore.pipeline;

import io.gaussrestore.access.AccessFiles;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.RestoreWindows;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.result.DryRunReport;
import io.gaussrestore.result.LedgerResults;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A dry run: the checks a request would meet (validation and policy have passed when it gets here), then the
 * duplicate look-up without claiming, the instance's line, and the instance's restorable windows from the cloud.
 * Its answer is recorded as the request's only result (DRY_RUN); nothing is claimed and nothing is POSTed.
 */
@ApplicationScoped
public class DryRuns {

    private final LedgerCalls ledger;
    private final GaussDbRestoreClient client;
    private final AccessFiles access;
    private final Clock clock;
    private final boolean jobsTracked;

    public DryRuns(LedgerCalls ledger, GaussDbRestoreClient client, AccessFiles access, Clock clock,
            RestoreConfig config) {
        this.ledger = ledger;
        this.client = client;
        this.access = access;
        this.clock = clock;
        this.jobsTracked = config.tracking().enabled();
    }

    /** What the checks found, before it is put into words. */
    private record Findings(Optional<LedgerEntry> holder, Optional<LedgerEntry> occupant, ApiResult windows) {}

    /** Runs the checks and records the answer; a request_id seen before answers as it would for any request. */
    Uni<Claim> run(InboundRecord record, RestoreRequest request, String requestId, String businessKey,
            Instant receivedAt) {
        RestoreRequest.Audit audit = request.audit();
        NewRequest arriving = new NewRequest(requestId, null, request.projectId(), request.instanceId(),
                record.text(), audit.requestedBy(), audit.reason(),
                audit.ticket(), record.position(), UUID.randomUUID().toString(), receivedAt);
        return ledger.call("find", l -> l.find(requestId)).chain(seen -> {
            if (seen.isPresent()) {
                return ledger.call("record_dry_run", l -> l.recordDryRun(arriving, "", "{}", "", clock.instant()));
            }
            return ledger.call("holder", l -> l.holderOf(businessKey, clock.instant()))
                    .chain(holder -> ledger.call("occupant", l -> l.occupant(request.instanceId(), requestId, jobsTracked))
                            .chain(occupant -> client.restoreTimes(request.projectId(), request.instanceId())
                                    .map(windows -> new Findings(holder, occupant, windows))))
                    .chain(findings -> {
                        DryRunReport report = report(request, findings);
                        return ledger.call("record_dry_run", l -> l.recordDryRun(arriving, report.outcome(),
                                LedgerResults.dryRunJson(report), report.message(), clock.instant()));
                    });
        });
    }

    private DryRunReport report(RestoreRequest request, Findings findings) {
        List<String> checks = new ArrayList<>();
        checks.add("validation: passed");
        checks.add(access.policy().open()
                ? "policy: no policy file, every project and instance allowed"
                : "policy: allowed by the rules for project " + request.projectId());
        String duplicateOf = findings.holder().map(LedgerEntry::requestId).orElse(null);
        checks.add(findings.holder()
                .map(h -> "duplicate: request " + h.requestId() + " (" + h.state() + ") is the same restore")
                .orElse("duplicate: no request for the same restore within the de-duplication window"));
        String waitingFor = findings.occupant()
                .map(o -> "request " + o.requestId() + " (" + o.state() + ")")
                .orElse(null);
        checks.add(waitingFor == null ? "instance: no request of this service occupies it"
                : "instance: occupied by " + waitingFor);
        List<DryRunReport.Window> windows = null;
        Boolean inWindow = null;
        String windowCheck;
        Optional<List<RestoreWindows.Window>> read = RestoreWindows.from(findings.windows());
        if (read.isPresent()) {
            List<RestoreWindows.Window> found = read.get();
            windows = found.stream().map(w -> new DryRunReport.Window(w.start(), w.end())).toList();
            inWindow = RestoreWindows.covers(found, request.restoreTimeMillis());
            windowCheck = "restore window: restore_time " + Instant.ofEpochMilli(request.restoreTimeMillis())
                    + (inWindow ? " lies in a restorable window" : " lies outside every restorable window; "
                            + RestoreWindows.describe(found));
        } else {
            windowCheck = "restore window: could not be read (" + findings.windows().describe() + ")";
        }
        checks.add(windowCheck);
        String outcome;
        String message;
        if (duplicateOf != null) {
            outcome = DryRunReport.WOULD_BE_DUPLICATE;
            message = "the request would be a DUPLICATE of " + duplicateOf + " and would not be sent";
        } else if (Boolean.FALSE.equals(inWindow)) {
            outcome = DryRunReport.WOULD_FAIL;
            message = "the cloud would refuse it (DBS.201203): restore_time lies outside the instance's restorable "
                    + "windows";
        } else if (waitingFor != null) {
            outcome = DryRunReport.WOULD_QUEUE;
            message = "the request would wait (QUEUED) behind " + waitingFor + ", then be sent";
        } else {
            outcome = DryRunReport.WOULD_SUBMIT;
            message = "the request would be sent to the cloud now"
                    + (inWindow == null ? " (its restore window could not be checked)" : "");
        }
        return new DryRunReport(outcome, "dry run: " + message + "; nothing was claimed or sent", duplicateOf,
                waitingFor, windows, inWindow, checks);
    }
}
