package io.gaussrestore.pipeline;

import io.gaussrestore.access.Acceptance;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.RestorePolicy;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.ClaimedButUnread;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.observability.Tracing;
import io.gaussrestore.queue.Releases;
import io.gaussrestore.request.Judged;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.request.Violation;
import io.gaussrestore.result.LaterResults;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultError;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The life of one request record: decode, validate, claim in the ledger, submit, record the outcome, publish
 * the result. Plain Java: it knows nothing of Kafka, and its answer says whether the record may be committed or
 * must be dead-lettered. Every step is recorded before the next, so a record delivered again after a crash
 * resumes where it stopped and never reaches the cloud twice.
 */
@ApplicationScoped
public class RestorePipeline implements Releases {

    private static final Logger LOG = Logger.getLogger(RestorePipeline.class);
    private static final Duration LEASE_POLL = Duration.ofMillis(500);

    private final RecordDecoder decoder;
    private final RestoreRequestValidator validator;
    private final LedgerCalls ledger;
    private final LaterResults laterResults;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final Duration window;
    private final RestoreConfig.Queue queue;
    private final boolean jobsTracked;
    private final Acceptance acceptance;
    private final DryRuns dryRuns;
    private final Tracing tracing;
    private final FirstResults firstResults;
    private final Rejections rejections;
    private final Submissions submissions;
    private final UnfinishedWork unfinished;
    private final Repeats repeats;

    public RestorePipeline(RecordDecoder decoder, RestoreRequestValidator validator, LedgerCalls ledger,
            LaterResults laterResults, RestoreMetrics metrics, Clock clock, RestoreConfig config, Acceptance acceptance,
            DryRuns dryRuns, Tracing tracing, FirstResults firstResults, Rejections rejections,
            Submissions submissions, UnfinishedWork unfinished, Repeats repeats) {
        this.decoder = decoder;
        this.validator = validator;
        this.ledger = ledger;
        this.laterResults = laterResults;
        this.metrics = metrics;
        this.clock = clock;
        this.window = config.ledger().window();
        this.queue = config.queue();
        this.jobsTracked = config.tracking().enabled();
        this.acceptance = acceptance;
        this.dryRuns = dryRuns;
        this.tracing = tracing;
        this.firstResults = firstResults;
        this.rejections = rejections;
        this.submissions = submissions;
        this.unfinished = unfinished;
        this.repeats = repeats;
    }

    /** Handles one record; the Uni completes once its ledger state and result are durable, or to dead-letter it. */
    public Uni<Disposition> process(InboundRecord arriving) {
        Span span = tracing.startRequest(arriving.traceparent(), arriving.position());
        InboundRecord record = arriving.withSpan(span);
        return Uni.createFrom().deferred(() -> handle(record))
                .onTermination().invoke((disposition, failure, cancelled) -> {
                    if (disposition instanceof Disposition.Answered answered) {
                        span.setAttribute("gaussdb.restore.status", answered.result().status().name());
                    } else if (disposition != null) {
                        span.setAttribute("gaussdb.restore.disposition", disposition.getClass().getSimpleName());
                    }
                    Tracing.end(span, failure);
                });
    }

    private Uni<Disposition> handle(InboundRecord record) {
        Instant receivedAt = record.readAt() != null ? record.readAt() : clock.instant();
        // Judged once, by the dispatcher, at the read time it shares with the pipeline; a record handed to the
        // pipeline directly is judged here.
        Judged judged = record.judged() != null && record.readAt() != null
                ? record.judged()
                : Judged.of(record.value(), record.timestamp(), receivedAt, window, decoder, validator);
        RecordDecoder.Decoded.Unreadable unreadable = judged.unreadable();
        if (unreadable != null) {
            LOG.warnf("record %s dead-lettered: %s (%s)", record.position(), unreadable.reason(), unreadable.detail());
            metrics.request(RestoreMetrics.Outcome.DEAD_LETTERED);
            return Uni.createFrom().item(new Disposition.DeadLetter(unreadable.reason(), unreadable.detail()));
        }
        Span validation = tracing.startStep(record.span(), "validate", SpanKind.INTERNAL);
        RequestCheck check = judged.check();
        validation.setAttribute("gaussdb.restore.valid", check instanceof RequestCheck.Valid);
        validation.end();
        if (judged.expired() != null) {
            return answered(record, rejections.reject(record, check, receivedAt, ResultError.RECORD_EXPIRED,
                    List.of(new Violation("$", judged.expired())), judged.expired()));
        }
        if (check instanceof RequestCheck.Invalid invalid) {
            String message = invalid.violationCount() + " rule(s) broken; nothing was sent to the cloud";
            return answered(record, rejections.reject(record, check, receivedAt, ResultError.VALIDATION_FAILED,
                    invalid.violations(), message));
        }
        RestoreRequest request = ((RequestCheck.Valid) check).request();
        String businessKey = judged.businessKey();
        String requestId = request.dryRun()
                ? RequestIds.forInvalid(request.requestId(), record.ceId(), record.value())
                : RequestIds.forValid(request, record.ceId(), businessKey);
        Tracing.identify(record.span(), requestId, request.instanceId());
        if (record.policyDenial() != null) {
            // The HTTP door's acceptance step refused it; the record was kept for its REJECTED result.
            return answered(record, rejections.denied(record, check, receivedAt, record.policyDenial()));
        }
        // The caller rule applies to a request written by the HTTP door whenever it is judged, with the caller and
        // roles the record carries.
        Uni<Optional<RestorePolicy.Denial>> verdict = acceptance.judge(request, record.httpCaller() == null
                        ? Optional.empty()
                        : Optional.of(new RestorePolicy.Caller(record.httpCaller(), record.httpRoles())),
                receivedAt, since -> ledger.call("accepted_since", l -> l.acceptedSince(request.instanceId(), since,
                        requestId)));
        return verdict.chain(overLimit -> {
            if (overLimit.isPresent()) {
                return answered(record, rejections.denied(record, check, receivedAt, overLimit.get().message()));
            }
            RequestLog.with(requestId, request.instanceId(), null, () -> Decisions.accepted(record.door(), requestId,
                    record.caller(request.audit()), request.projectId(), request.instanceId()));
            if (request.dryRun()) {
                return dryRuns.run(record, request, requestId, businessKey, receivedAt)
                        .chain(claim -> onClaim(record, claim, null));
            }
            RestoreRequest.Audit audit = request.audit();
            NewRequest arriving = new NewRequest(requestId, businessKey, request.projectId(), request.instanceId(),
                    record.text(), audit.requestedBy(), audit.reason(), audit.ticket(), record.position(),
                    UUID.randomUUID().toString(), receivedAt);
            Optional<Claim> remembered = record.seenSettled()
                    ? repeats.remembered(requestId, record.position())
                    : Optional.empty();
            if (remembered.isPresent()) {
                return onClaim(record, remembered.get(), request);
            }
            Span claiming = tracing.startStep(record.span(), "ledger claim", SpanKind.INTERNAL);
            return ledger.persistently(record.seenSettled() ? "claim_repeat" : "claim",
                            l -> noteUnread(() -> repeats.claim(l, arriving, record.seenSettled())))
                    .onTermination().invoke((claim, failure, cancelled) -> {
                        if (claim != null) {
                            claiming.setAttribute("gaussdb.restore.claim", claim.getClass().getSimpleName());
                        }
                        Tracing.end(claiming, failure);
                    })
                    .chain(claim -> onClaim(record, claim, request));
        });
    }

    /**
     * Runs a claim; one won but not read back is noted as this process's unfinished work under the token that won,
     * so that its retry resumes it instead of waiting out its own lease and answering UNKNOWN.
     */
    private Claim noteUnread(java.util.function.Supplier<Claim> claiming) {
        try {
            return claiming.get();
        } catch (ClaimedButUnread unread) {
            unfinished.note(unread.requestId(), unread.leaseToken(), null);
            throw unread;
        }
    }

    private Uni<Disposition> onClaim(InboundRecord record, Claim claim, RestoreRequest request) {
        if (claim instanceof Claim.Won won) {
            LedgerEntry entry = won.entry();
            if (entry.state() == LedgerState.SUBMITTING) {
                return admit(record, entry, request);
            }
            if (won.firstPublicationHeld()) {
                // Recorded just now with its first publication taken for this record: it goes out at once.
                RestoreResult result = LedgerResults.first(entry, null);
                return firstResults.publish(record, result, entry.firstResultId(),
                        FirstResults.outcome(entry.firstStatus()), entry,
                        firstResults.serialize(result));
            }
            return firstResults.publishFirst(record, entry, null);
        }
        if (claim instanceof Claim.DuplicateOf duplicate) {
            RequestLog.with(duplicate.newEntry().requestId(), duplicate.newEntry().instanceId(),
                    duplicate.original().jobId(), () -> LOG.infof("request %s (%s) is a duplicate of %s (%s)",
                            duplicate.newEntry().requestId(), record.position(), duplicate.original().requestId(),
                            duplicate.original().state()));
            return firstResults.publishFirst(record, duplicate.newEntry(), duplicate.original());
        }
        if (claim instanceof Claim.Repeated repeated) {
            LedgerEntry original = repeated.original();
            RequestLog.with(original.requestId(), original.instanceId(), original.jobId(), () -> LOG.infof(
                    "request_id %s (%s) was seen before (%s): answering with its outcome", original.requestId(),
                    record.position(), original.state()));
            // The same record answered again (after a crash) carries the same event id.
            String eventId = UUID.nameUUIDFromBytes(("repeated " + original.requestId() + " " + record.position())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            return firstResults.answer(record, LedgerResults.duplicate(original, original), eventId,
                    RestoreMetrics.Outcome.DUPLICATE, null);
        }
        return recover(record, ((Claim.Redelivered) claim).entry(), request);
    }

    /**
     * A claimed request goes to the cloud only when nothing of ours occupies its instance; otherwise it takes its
     * place in the instance's line (QUEUED) and its record is done: it holds no slot while it waits.
     */
    private Uni<Disposition> admit(InboundRecord record, LedgerEntry entry, RestoreRequest request) {
        return ledger.persistently("occupant", l -> l.occupant(entry.instanceId(), entry.requestId(), jobsTracked))
                .onFailure().invoke(() -> unfinished.note(entry.requestId(), entry.leaseToken(), null))
                .chain(occupant -> occupant.isEmpty()
                        ? submit(record, entry, request, 1)
                        : park(record, entry, waitingFor(occupant.get()), null, entry.attempts()));
    }

    private static String waitingFor(LedgerEntry ahead) {
        return switch (ahead.state()) {
            case QUEUED -> "the requests queued for this instance before it, the last being " + ahead.requestId();
            case SUBMITTING -> "request " + ahead.requestId() + ", being sent to the cloud";
            default -> "request " + ahead.requestId() + ", whose restore job " + ahead.jobId() + " is "
                    + ahead.state() + (ahead.progress() == null ? "" : " " + ahead.progress());
        };
    }

    /** Puts the request in its instance's line and publishes QUEUED as its first result (if it has none yet). */
    private Uni<Disposition> park(InboundRecord record, LedgerEntry entry, String waitingFor, Instant checkAt,
            int attempts) {
        Instant now = clock.instant();
        return ledger.persistently("park", l -> l.park(entry.requestId(), entry.leaseToken(), waitingFor, checkAt,
                        now.plus(queue.deadline()), attempts, now))
                .chain(parked -> {
                    if (parked.isEmpty()) {
                        return ledger.call("find", l -> l.find(entry.requestId()).orElseThrow())
                                .chain(current -> recover(record, current, null));
                    }
                    RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.infof(
                            "request %s (%s) queued, place %d: waits for %s", entry.requestId(), record.position(),
                            parked.get().queuePlace(), waitingFor));
                    return firstResults.publishFirst(record, parked.get(), null);
                });
    }

    private Uni<Disposition> submit(InboundRecord record, LedgerEntry entry, RestoreRequest request, int firstAttempt) {
        return follow(record, entry, submissions.submit(record, entry, request, firstAttempt));
    }

    /** Carries a request on from what its submission came to. */
    private Uni<Disposition> follow(InboundRecord record, LedgerEntry entry, Uni<Submissions.Next> next) {
        return next.chain(step -> {
            if (step instanceof Submissions.Next.Done done) {
                return Uni.createFrom().item(done.disposition());
            }
            if (step instanceof Submissions.Next.Park park) {
                // Still SUBMITTING under this lease: a failure here leaves the cloud's answer as unfinished work,
                // so that the record's retry parks it again instead of waiting out the lease into UNKNOWN.
                return park(record, entry, park.waitingFor(), park.checkAt(), park.busy().attempts())
                        .onFailure().invoke(() -> unfinished.note(entry.requestId(), entry.leaseToken(), park.busy()));
            }
            return recover(record, ((Submissions.Next.Recover) step).current(), null);
        });
    }

    /** A claim rejected or denied is answered like any claim: its first result is published. */
    private Uni<Disposition> answered(InboundRecord record, Uni<Claim> claim) {
        return claim.chain(c -> onClaim(record, c, null));
    }

    /**
     * Sends a request taken from its instance's line (its lease is the taker's) and publishes what came of it as
     * a later result: its first result, QUEUED, went out when it was queued.
     */
    @Override
    public Uni<Void> release(LedgerEntry taken) {
        InboundRecord origin = new InboundRecord(taken.requestJson().getBytes(StandardCharsets.UTF_8), null, null,
                "instance-queue", -1, -1, RecordFence.ALWAYS);
        RequestLog.with(taken.requestId(), taken.instanceId(), null, () -> LOG.infof(
                "request %s leaves the line of instance %s", taken.requestId(), taken.instanceId()));
        return submit(origin, taken, accepted(taken), taken.attempts() + 1)
                .chain(() -> ledger.call("find", l -> l.find(taken.requestId()).orElseThrow()))
                .chain(laterResults::publish);
    }

    /**
     * Finishes a request whose record will not come back (found by the {@link OrphanSweep}): carries on from the
     * state the ledger remembers, as its record would have.
     */
    public Uni<Disposition> resume(LedgerEntry orphan) {
        InboundRecord origin = new InboundRecord(orphan.requestJson().getBytes(StandardCharsets.UTF_8), null, null,
                "ledger-sweep", -1, -1, RecordFence.ALWAYS);
        return recover(origin, orphan, null);
    }

    /** A record seen before: carry on from the state the ledger remembers. */
    private Uni<Disposition> recover(InboundRecord record, LedgerEntry entry, RestoreRequest known) {
        RestoreRequest request = known != null ? known : accepted(entry);
        if (entry.state() == LedgerState.RECEIVED) {
            // A request taken from its instance's line acts for the record it came in.
            String source = record.offset() < 0 ? entry.source() : record.position();
            return ledger.persistently("claim", l -> noteUnread(() -> l.resumeClaim(entry, source, clock.instant())))
                    .chain(claim -> onClaim(record, claim, request));
        }
        if (entry.state() == LedgerState.SUBMITTING) {
            UnfinishedWork.Unfinished mine = unfinished.take(entry.requestId(), entry.leaseToken());
            if (mine != null) {
                RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.infof(
                        "request %s (%s): resuming this replica's own unfinished work", entry.requestId(),
                        record.position()));
                // Nothing sent yet: it is admitted again (its instance may have become occupied meanwhile).
                return mine.outcome() == null
                        ? admit(record, entry, request)
                        : follow(record, entry, submissions.settle(record, entry, mine.outcome()));
            }
            Instant now = clock.instant();
            if (entry.leaseUntil() == null || !entry.leaseUntil().isAfter(now)) {
                String message = "the service stopped while submitting this restore; whether the cloud started a job "
                        + "is unknown, so it is not sent again";
                return ledger.call("expire_lease", l -> l.expireLease(entry.requestId(), message, now)
                                .or(() -> l.find(entry.requestId())).orElseThrow())
                        .chain(current -> current.state() == LedgerState.SUBMITTING
                                ? recover(record, current, request)
                                : firstResults.publishFirst(record, current, null));
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
        return firstResults.publishFirst(record, entry, null);
    }

    /**
     * The request of an entry accepted earlier, validated as of its arrival: a record that comes again later is
     * judged by the rules as they stood when it was accepted. Null when it no longer passes (the rules changed).
     */
    private RestoreRequest accepted(LedgerEntry entry) {
        if (entry.businessKey() == null || !(decoder.decode(entry.requestJson().getBytes(StandardCharsets.UTF_8))
                instanceof RecordDecoder.Decoded.Json stored)) {
            return null;
        }
        return validator.checkAt(stored.object(), entry.receivedAt()) instanceof RequestCheck.Valid valid
                ? valid.request()
                : null;
    }
}
