package io.gaussrestore.pipeline;

import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultSink;
import io.gaussrestore.submission.RestoreSubmitter;
import io.gaussrestore.submission.Submission;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The life of one request record: decode, validate, claim in the ledger, submit, record the outcome, publish
 * the result. Plain Java: it knows nothing of Kafka, and its answer says whether the record may be committed or
 * must be dead-lettered. Every step is recorded before the next, so a record delivered again after a crash
 * resumes where it stopped and never reaches the cloud twice.
 */
@ApplicationScoped
public class RestorePipeline {

    private static final Logger LOG = Logger.getLogger(RestorePipeline.class);
    private static final Duration LEASE_POLL = Duration.ofMillis(500);

    private final RecordDecoder decoder;
    private final RestoreRequestValidator validator;
    private final RestoreSubmitter submitter;
    private final LedgerCalls ledger;
    private final ResultSink results;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final Duration firstPollDelay;

    public RestorePipeline(RecordDecoder decoder, RestoreRequestValidator validator, RestoreSubmitter submitter,
            LedgerCalls ledger, ResultSink results, RestoreMetrics metrics, Clock clock,
            io.gaussrestore.config.RestoreConfig config) {
        this.firstPollDelay = config.tracking().firstPollDelay();
        this.decoder = decoder;
        this.validator = validator;
        this.submitter = submitter;
        this.ledger = ledger;
        this.results = results;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Handles one record; the Uni completes once its ledger state and result are durable, or to dead-letter it. */
    public Uni<Disposition> process(InboundRecord record) {
        Instant receivedAt = clock.instant();
        RecordDecoder.Decoded decoded = decoder.decode(record.value());
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            LOG.warnf("record %s dead-lettered: %s (%s)", record.position(), unreadable.reason(), unreadable.detail());
            metrics.request(RestoreMetrics.Outcome.DEAD_LETTERED);
            return Uni.createFrom().item(new Disposition.DeadLetter(unreadable.reason(), unreadable.detail()));
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        RequestCheck check = validator.check(((RecordDecoder.Decoded.Json) decoded).object());
        if (check instanceof RequestCheck.Invalid invalid) {
            String requestId = RequestIds.forInvalid(invalid.requestId(), record.ceId(), record.value());
            LOG.infof("request %s (%s) rejected: %s", requestId, record.position(), invalid.violations());
            NewRequest rejected = new NewRequest(requestId, null, invalid.projectId(), invalid.instanceId(), text,
                    invalid.audit().requestedBy(), invalid.audit().reason(), invalid.audit().ticket(),
                    record.position(), UUID.randomUUID().toString(), receivedAt);
            String message = invalid.violations().size() + " rule(s) broken; nothing was sent to the cloud";
            return ledger.call("record_rejected", l -> l.recordRejected(rejected,
                            LedgerResults.violationsJson(invalid.violations()), message, clock.instant()))
                    .chain(claim -> onClaim(record, claim, null));
        }
        RestoreRequest request = ((RequestCheck.Valid) check).request();
        String businessKey = BusinessKey.of(request);
        String requestId = RequestIds.forValid(request, record.ceId(), businessKey);
        RestoreRequest.Audit audit = request.audit();
        NewRequest arriving = new NewRequest(requestId, businessKey, request.projectId(), request.instanceId(), text,
                audit.requestedBy(), audit.reason(), audit.ticket(), record.position(), UUID.randomUUID().toString(),
                receivedAt);
        return ledger.call("claim", l -> l.claim(arriving, clock.instant()))
                .chain(claim -> onClaim(record, claim, request));
    }

    private Uni<Disposition> onClaim(InboundRecord record, Claim claim, RestoreRequest request) {
        if (claim instanceof Claim.Won won) {
            LedgerEntry entry = won.entry();
            return entry.state() == LedgerState.SUBMITTING
                    ? submit(record, entry, request)
                    : publishFirst(record, entry, null);
        }
        if (claim instanceof Claim.DuplicateOf duplicate) {
            LOG.infof("request %s (%s) is a duplicate of %s (%s)", duplicate.newEntry().requestId(), record.position(),
                    duplicate.original().requestId(), duplicate.original().state());
            return publishFirst(record, duplicate.newEntry(), duplicate.original());
        }
        if (claim instanceof Claim.Repeated repeated) {
            LedgerEntry original = repeated.original();
            LOG.infof("request_id %s (%s) was seen before (%s): answering with its outcome", original.requestId(),
                    record.position(), original.state());
            return answer(record, LedgerResults.duplicate(original, original), UUID.randomUUID().toString(),
                    RestoreMetrics.Outcome.DUPLICATE, null);
        }
        return recover(record, ((Claim.Redelivered) claim).entry(), request);
    }

    /** A record seen before: carry on from the state the ledger remembers. */
    private Uni<Disposition> recover(InboundRecord record, LedgerEntry entry, RestoreRequest request) {
        if (entry.state() == LedgerState.RECEIVED) {
            return ledger.call("claim", l -> l.resumeClaim(entry, clock.instant()))
                    .chain(claim -> onClaim(record, claim, request));
        }
        if (entry.state() == LedgerState.SUBMITTING) {
            Instant now = clock.instant();
            if (entry.leaseUntil() == null || !entry.leaseUntil().isAfter(now)) {
                String message = "the service stopped while submitting this restore; whether the cloud started a job "
                        + "is unknown, so it is not sent again";
                return ledger.call("expire_lease", l -> l.expireLease(entry.requestId(), message, now)
                                .or(() -> l.find(entry.requestId())).orElseThrow())
                        .chain(current -> current.state() == LedgerState.SUBMITTING
                                ? recover(record, current, request)
                                : publishFirst(record, current, null));
            }
            // Another worker (or this process before a restart) holds the lease: wait for it to end or lapse.
            Duration wait = Duration.between(now, entry.leaseUntil());
            Duration poll = wait.compareTo(LEASE_POLL) < 0 ? wait.plusMillis(1) : LEASE_POLL;
            return Uni.createFrom().voidItem().onItem().delayIt().by(poll)
                    .chain(() -> ledger.call("find", l -> l.find(entry.requestId()).orElseThrow()))
                    .chain(current -> recover(record, current, request));
        }
        if (entry.firstResultPublished()) {
            LOG.debugf("request %s (%s) delivered again; its result was already published", entry.requestId(),
                    record.position());
            return Uni.createFrom().item(new Disposition.Answered(LedgerResults.latest(entry)));
        }
        return publishFirst(record, entry, null);
    }

    private Uni<Disposition> submit(InboundRecord record, LedgerEntry entry, RestoreRequest request) {
        String requestId = entry.requestId();
        return submitter.submit(request, () -> ledger.call("renew_lease",
                        l -> l.renewLease(requestId, clock.instant().plus(l.lease()), clock.instant())))
                .chain(submission -> ledger.call("record_outcome", l -> l.recordOutcome(requestId, outcome(submission))))
                .chain(recorded -> publishFirst(record, recorded, null));
    }

    private Outcome outcome(Submission submission) {
        Instant now = clock.instant();
        if (submission instanceof Submission.Accepted accepted) {
            return new Outcome.Submitted(accepted.jobId(), accepted.attempts(), accepted.submittedAt(),
                    accepted.submittedAt().plus(firstPollDelay));
        }
        if (submission instanceof Submission.Refused refused) {
            return new Outcome.Failed(refused.errorCode(), refused.message(), refused.httpStatus(),
                    refused.errorClass().retryable(), refused.attempts(), now);
        }
        Submission.Unknown unknown = (Submission.Unknown) submission;
        return new Outcome.Unknown(unknown.message(), unknown.attempts(), now);
    }

    /** Publishes the request's first result (unless it already was) and notes it in the ledger. */
    private Uni<Disposition> publishFirst(InboundRecord record, LedgerEntry entry, LedgerEntry knownOriginal) {
        if (entry.firstResultPublished()) {
            return Uni.createFrom().item(new Disposition.Answered(LedgerResults.latest(entry)));
        }
        Uni<LedgerEntry> original = entry.firstStatus() != LedgerState.DUPLICATE || knownOriginal != null
                ? Uni.createFrom().item(knownOriginal)
                : ledger.call("find", l -> l.find(entry.duplicateOf()).orElse(null));
        return original.chain(o -> answer(record, LedgerResults.first(entry, o), entry.firstResultId(),
                outcome(entry.firstStatus()), entry.requestId()));
    }

    private Uni<Disposition> answer(InboundRecord record, RestoreResult result, String eventId,
            RestoreMetrics.Outcome outcome, String markPublished) {
        return results.publish(result, eventId)
                .chain(() -> markPublished == null
                        ? Uni.createFrom().voidItem()
                        : ledger.call("mark_published", l -> {
                            l.markFirstResultPublished(markPublished);
                            return null;
                        }).replaceWithVoid())
                .map(ignored -> {
                    metrics.request(outcome);
                    if (record.timestamp() != null) {
                        metrics.requestLatency(Duration.between(record.timestamp(), clock.instant()));
                    }
                    LOG.infof("request %s (%s): %s%s", result.requestId(), record.position(), result.status(),
                            result.jobId() == null ? "" : " job " + result.jobId());
                    return new Disposition.Answered(result);
                });
    }

    private static RestoreMetrics.Outcome outcome(LedgerState firstStatus) {
        return switch (firstStatus) {
            case SUBMITTED -> RestoreMetrics.Outcome.SUBMITTED;
            case REJECTED -> RestoreMetrics.Outcome.REJECTED;
            case DUPLICATE -> RestoreMetrics.Outcome.DUPLICATE;
            case FAILED -> RestoreMetrics.Outcome.FAILED;
            default -> RestoreMetrics.Outcome.UNKNOWN;
        };
    }
}
