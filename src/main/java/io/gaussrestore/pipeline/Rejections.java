package io.gaussrestore.pipeline;

import io.gaussrestore.access.Decisions;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.Violation;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.ResultError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Requests that will not be sent (invalid, expired, refused by the policy): recorded REJECTED with every field
 * bounded to what the ledger and a result hold, and the decision logged. The claim it answers is the pipeline's
 * to publish.
 */
@ApplicationScoped
public class Rejections {

    private static final Logger LOG = Logger.getLogger(Rejections.class);

    @Inject LedgerCalls ledger;
    @Inject Clock clock;

    /** Column sizes of the ledger for the fields an invalid request may carry. */
    static final int ID_COLUMN = 64;
    static final int AUDIT_COLUMN = 1024;

    /** The restore policy refused the request: it ends REJECTED POLICY_DENIED and nothing is sent. */
    Uni<Claim> denied(InboundRecord record, RequestCheck check, Instant receivedAt, String why) {
        String message = "the restore policy does not allow this request: " + why + "; nothing was sent to the cloud";
        return reject(record, check, receivedAt, ResultError.POLICY_DENIED, List.of(new Violation("$", why)), message);
    }

    /** Records a request that will not be sent, with every field bounded to what the ledger and a result hold. */
    Uni<Claim> reject(InboundRecord record, RequestCheck check, Instant receivedAt, String errorCode,
            List<Violation> violations, String message) {
        String requestId;
        String projectId;
        String instanceId;
        RestoreRequest.Audit audit;
        if (check instanceof RequestCheck.Valid valid) {
            RestoreRequest request = valid.request();
            requestId = RequestIds.forInvalid(request.requestId(), record.ceId(), record.value());
            projectId = request.projectId();
            instanceId = request.instanceId();
            audit = request.audit();
        } else {
            RequestCheck.Invalid invalid = (RequestCheck.Invalid) check;
            requestId = RequestIds.forInvalid(invalid.requestId(), record.ceId(), record.value());
            projectId = invalid.projectId();
            instanceId = invalid.instanceId();
            audit = invalid.audit();
        }
        NewRequest rejected = new NewRequest(requestId, null, Bounded.text(projectId, ID_COLUMN),
                Bounded.text(instanceId, ID_COLUMN), rejectedText(record), Bounded.text(audit.requestedBy(), AUDIT_COLUMN),
                Bounded.text(audit.reason(), AUDIT_COLUMN), Bounded.text(audit.ticket(), AUDIT_COLUMN),
                record.position(), UUID.randomUUID().toString(), receivedAt);
        String publisher = UUID.randomUUID().toString();
        return ledger.call("record_rejected", l -> l.recordRejected(rejected, errorCode,
                        LedgerResults.violationsJson(violations), message, clock.instant(), publisher))
                .invoke(claim -> {
                    if (claim instanceof Claim.Won) {
                        RequestLog.with(rejected.requestId(), rejected.instanceId(), null, () -> {
                            LOG.infof("request %s (%s) rejected (%s): %s", rejected.requestId(), record.position(),
                                    errorCode, Bounded.text(message + "; " + violations.subList(0, Math.min(3,
                                            violations.size())), 600));
                            Decisions.denied(record.door(), rejected.requestId(), record.caller(audit),
                                    rejected.projectId(), rejected.instanceId(), errorCode, message);
                        });
                    }
                });
    }

    /**
     * What a rejected request's row keeps of its record: all of it up to {@link #REJECTED_TEXT_BYTES}, else its
     * beginning and its length. Nothing is sent from it, and a near-1 MiB record would otherwise cost several
     * copies of itself in the ledger's write and read-back.
     */
    private static String rejectedText(InboundRecord record) {
        byte[] value = record.value();
        if (value.length <= REJECTED_TEXT_BYTES) {
            return record.text();
        }
        return new String(value, 0, REJECTED_TEXT_BYTES - 64, StandardCharsets.UTF_8) + "...[truncated from "
                + value.length + " bytes]";
    }

    static final int REJECTED_TEXT_BYTES = 64 * 1024;
}
