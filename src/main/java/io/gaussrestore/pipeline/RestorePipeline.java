package io.gaussrestore.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.access.AccessFiles;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.RestorePolicy;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.ClaimedButUnread;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.observability.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.request.Violation;
import io.gaussrestore.result.LaterResults;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.ResultError;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
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
    private static final Duration PUBLICATION_POLL = Duration.ofMillis(100);
    /** Column sizes of the ledger for the fields an invalid request may carry. */
    private static final int ID_COLUMN = 64;
    private static final int AUDIT_COLUMN = 1024;

    private final RecordDecoder decoder;
    private final RestoreRequestValidator validator;
    private final RestoreSubmitter submitter;
    private final LedgerCalls ledger;
    private final ResultSink results;
    private final LaterResults laterResults;
    private final RestoreMetrics metrics;
    private final Clock clock;
    private final ObjectMapper json;
    private final Duration firstPollDelay;
    private final Duration window;
    private final RestoreConfig.Queue queue;
    private final boolean jobsTracked;
    private final AccessFiles access;
    private final DryRuns dryRuns;
    private final Tracing tracing;
    private final HeldClaims claims;
    /** Requests whose lease this process holds but whose work stopped on a failure, and what it had learnt. */
    private final Map<String, Unfinished> unfinished = new ConcurrentHashMap<>();

    /** Work stopped after its claim: under which lease, and the cloud's answer if one came (null: nothing sent). */
    private record Unfinished(String leaseToken, Submission outcome) {}

    /**
     * Settled requests read from the ledger to answer a repeat, and when: further repeats within
     * {@link #REPEAT_MEMORY} are answered from here, so a storm of one replayed request reads the ledger about once a
     * second, not once a record. Bounded; the eldest are forgotten.
     */
    private final Map<String, ReadForRepeat> readForRepeats = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ReadForRepeat> eldest) {
                    return size() > 10_000;
                }
            });
    /** How old the outcome a repeat is answered with may be. */
    static final Duration REPEAT_MEMORY = Duration.ofSeconds(1);

    private record ReadForRepeat(LedgerEntry entry, Instant at) {}

    public RestorePipeline(RecordDecoder decoder, RestoreRequestValidator validator, RestoreSubmitter submitter,
            LedgerCalls ledger, ResultSink results, LaterResults laterResults, RestoreMetrics metrics, Clock clock,
            ObjectMapper json, RestoreConfig config, AccessFiles access, DryRuns dryRuns, Tracing tracing,
            HeldClaims claims) {
        this.tracing = tracing;
        this.claims = claims;
        this.access = access;
        this.dryRuns = dryRuns;
        this.laterResults = laterResults;
        this.json = json;
        this.firstPollDelay = config.tracking().firstPollDelay();
        this.window = config.ledger().window();
        this.queue = config.queue();
        this.jobsTracked = config.tracking().enabled();
        this.decoder = decoder;
        this.validator = validator;
        this.submitter = submitter;
        this.ledger = ledger;
        this.results = results;
        this.metrics = metrics;
        this.clock = clock;
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
        // Judged once, by the dispatcher, at the read time it shares with the pipeline; judged here otherwise.
        InboundRecord.Judged judged = record.judged() != null && record.readAt() != null
                ? record.judged()
                : InboundRecord.Judged.of(record.value(), receivedAt, decoder, validator);
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
        if (record.timestamp() != null && record.timestamp().isBefore(receivedAt.minus(window))) {
            String message = "the record was written at " + record.timestamp() + ", longer ago than the "
                    + "de-duplication window of " + window + ": it may be a replay of a request already handled, "
                    + "so it is not sent; send a new request if the restore is still wanted";
            return reject(record, check, receivedAt, ResultError.RECORD_EXPIRED, List.of(new Violation("$", message)),
                    message);
        }
        if (check instanceof RequestCheck.Invalid invalid) {
            String message = invalid.violationCount() + " rule(s) broken; nothing was sent to the cloud";
            return reject(record, check, receivedAt, ResultError.VALIDATION_FAILED, invalid.violations(), message);
        }
        RestoreRequest request = ((RequestCheck.Valid) check).request();
        String businessKey = judged.businessKey();
        String requestId = request.dryRun()
                ? RequestIds.forInvalid(request.requestId(), record.ceId(), record.value())
                : RequestIds.forValid(request, record.ceId(), businessKey);
        Tracing.identify(record.span(), requestId, request.instanceId());
        if (record.policyDenial() != null) {
            return denied(record, check, receivedAt, record.policyDenial());
        }
        RestorePolicy policy = access.policy();
        // The caller rule applies to a request written by the HTTP door whenever it is judged: one the door could not
        // judge (its body was not valid then) is checked here with the caller and roles the record carries.
        Optional<RestorePolicy.Denial> denial = policy.check(request, record.httpCaller() == null
                ? Optional.empty()
                : Optional.of(new RestorePolicy.Caller(record.httpCaller(), record.httpRoles())));
        if (denial.isPresent()) {
            return denied(record, check, receivedAt, denial.get().message());
        }
        Uni<Optional<RestorePolicy.Denial>> hourly = policy.hourlyLimit(request).isEmpty()
                ? Uni.createFrom().item(Optional.empty())
                : ledger.call("accepted_since", l -> l.acceptedSince(request.instanceId(),
                        receivedAt.minus(Duration.ofHours(1)), requestId))
                        .map(count -> policy.checkHourly(request, count));
        return hourly.chain(overLimit -> {
            if (overLimit.isPresent()) {
                return denied(record, check, receivedAt, overLimit.get().message());
            }
            RequestLog.with(requestId, request.instanceId(), null, () -> Decisions.accepted(record.door(), requestId,
                    caller(record, request.audit()), request.projectId(), request.instanceId()));
            if (request.dryRun()) {
                return dryRuns.run(record, request, requestId, businessKey, receivedAt)
                        .chain(claim -> onClaim(record, claim, null));
            }
            RestoreRequest.Audit audit = request.audit();
            NewRequest arriving = new NewRequest(requestId, businessKey, request.projectId(), request.instanceId(),
                    text(record), audit.requestedBy(), audit.reason(), audit.ticket(), record.position(),
                    UUID.randomUUID().toString(), receivedAt);
            if (record.seenSettled()) {
                ReadForRepeat read = readForRepeats.get(requestId);
                if (read != null && clock.instant().isBefore(read.at().plus(REPEAT_MEMORY))
                        && !record.position().equals(read.entry().source())) {
                    return onClaim(record, new Claim.Repeated(read.entry()), request);
                }
            }
            Span claiming = tracing.startStep(record.span(), "ledger claim", SpanKind.INTERNAL);
            return ledger.persistently(record.seenSettled() ? "claim_repeat" : "claim",
                            l -> noteUnread(() -> claim(l, arriving, record.seenSettled())))
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
     * Claims a request. One the dispatcher saw settled lately is looked up first: a repeat is then answered after
     * one read (kept for the next repeats for a second), instead of after an insert refused as a duplicate key and
     * a read. Anything else (not found, still unclaimed, or this very record again) goes to the claim, which
     * decides as always.
     */
    private Claim claim(IdempotencyLedger ledger, NewRequest arriving, boolean seenSettled) {
        if (seenSettled) {
            Instant readAt = clock.instant();
            Optional<LedgerEntry> known = ledger.find(arriving.requestId());
            if (known.isPresent() && known.get().state() != LedgerState.RECEIVED) {
                readForRepeats.put(arriving.requestId(), new ReadForRepeat(known.get(), readAt));
                if (!arriving.source().equals(known.get().source())) {
                    return new Claim.Repeated(known.get());
                }
            }
        }
        return ledger.claim(arriving, clock.instant());
    }

    /**
     * Runs a claim; one won but not read back is noted as this process's unfinished work under the token that won,
     * so that its retry resumes it instead of waiting out its own lease and answering UNKNOWN.
     */
    private Claim noteUnread(java.util.function.Supplier<Claim> claiming) {
        try {
            return claiming.get();
        } catch (ClaimedButUnread unread) {
            unfinished.put(unread.requestId(), new Unfinished(unread.leaseToken(), null));
            throw unread;
        }
    }

    /** Who asked: the authenticated caller for the HTTP door, the request's requested_by for the Kafka door. */
    static String caller(InboundRecord record, RestoreRequest.Audit audit) {
        return record.httpCaller() != null ? record.httpCaller() : audit.requestedBy();
    }

    /** The restore policy refused the request: it ends REJECTED POLICY_DENIED and nothing is sent. */
    private Uni<Disposition> denied(InboundRecord record, RequestCheck check, Instant receivedAt, String why) {
        String message = "the restore policy does not allow this request: " + why + "; nothing was sent to the cloud";
        return reject(record, check, receivedAt, ResultError.POLICY_DENIED, List.of(new Violation("$", why)), message);
    }

    /** Records a request that will not be sent, with every field bounded to what the ledger and a result hold. */
    private Uni<Disposition> reject(InboundRecord record, RequestCheck check, Instant receivedAt, String errorCode,
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
                            Decisions.denied(record.door(), rejected.requestId(), caller(record, audit),
                                    rejected.projectId(), rejected.instanceId(), errorCode, message);
                        });
                    }
                })
                .chain(claim -> onClaim(record, claim, null));
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
                return publish(record, result, entry.firstResultId(), outcome(entry.firstStatus()), entry,
                        serialize(result));
            }
            return publishFirst(record, entry, null);
        }
        if (claim instanceof Claim.DuplicateOf duplicate) {
            RequestLog.with(duplicate.newEntry().requestId(), duplicate.newEntry().instanceId(),
                    duplicate.original().jobId(), () -> LOG.infof("request %s (%s) is a duplicate of %s (%s)",
                            duplicate.newEntry().requestId(), record.position(), duplicate.original().requestId(),
                            duplicate.original().state()));
            return publishFirst(record, duplicate.newEntry(), duplicate.original());
        }
        if (claim instanceof Claim.Repeated repeated) {
            LedgerEntry original = repeated.original();
            RequestLog.with(original.requestId(), original.instanceId(), original.jobId(), () -> LOG.infof(
                    "request_id %s (%s) was seen before (%s): answering with its outcome", original.requestId(),
                    record.position(), original.state()));
            // The same record answered again (after a crash) carries the same event id.
            String eventId = UUID.nameUUIDFromBytes(("repeated " + original.requestId() + " " + record.position())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            return answer(record, LedgerResults.duplicate(original, original), eventId,
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
                .onFailure().invoke(() -> unfinished.put(entry.requestId(), new Unfinished(entry.leaseToken(), null)))
                .chain(occupant -> occupant.isEmpty()
                        ? submit(record, entry, request)
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
                    return publishFirst(record, parked.get(), null);
                });
    }

    /**
     * Sends a request taken from its instance's line (its lease is the taker's) and publishes what came of it as
     * a later result: its first result, QUEUED, went out when it was queued.
     */
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
            Unfinished mine = unfinished.get(entry.requestId());
            if (mine != null && mine.leaseToken().equals(entry.leaseToken())) {
                unfinished.remove(entry.requestId());
                RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.infof(
                        "request %s (%s): resuming this replica's own unfinished work", entry.requestId(),
                        record.position()));
                // Nothing sent yet: it is admitted again (its instance may have become occupied meanwhile).
                return mine.outcome() == null
                        ? admit(record, entry, request)
                        : settle(record, entry, mine.outcome());
            }
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

    private Uni<Disposition> submit(InboundRecord record, LedgerEntry entry, RestoreRequest request) {
        return submit(record, entry, request, 1);
    }

    /** Submits under the entry's lease, kept alive while the submission waits, and records what came of it. */
    private Uni<Disposition> submit(InboundRecord record, LedgerEntry entry, RestoreRequest request, int firstAttempt) {
        if (request == null) {
            return settle(record, entry, new Submission.Refused(ResultError.VALIDATION_FAILED,
                    "the request no longer passes validation with the current rules; nothing was sent", null,
                    io.gaussrestore.gaussdb.ErrorClass.PERMANENT, 0));
        }
        LeaseKeeper lease = new LeaseKeeper(ledger, entry.requestId(), entry.leaseToken(), clock);
        // Taken from its instance's line (its first result was QUEUED): given back, it goes back to its place. Judged
        // by the row, not by the record: a request the orphan sweep resumes has no record either.
        boolean fromLine = entry.firstStatus() == LedgerState.QUEUED && entry.queuePosition() != null;
        HeldClaims.Held held = claims.hold(entry.requestId(), entry.leaseToken(), fromLine);
        AtomicReference<Submission> answer = new AtomicReference<>();
        // The cloud call's own span; the trace header itself is not sent to the cloud, a third party.
        Span cloud = tracing.startStep(record.span(), "cloud restore", SpanKind.CLIENT);
        cloud.setAttribute("gaussdb.restore.instance_id", entry.instanceId());
        return submitter.submit(request, () -> mayAttempt(record, lease),
                        () -> record.fence().stillAssigned() && claims.mayPost(held), firstAttempt)
                .onTermination().invoke((submission, failure, cancelled) -> {
                    if (submission != null) {
                        cloud.setAttribute("gaussdb.restore.submission", describe(submission));
                    }
                    Tracing.end(cloud, failure);
                })
                .invoke(answer::set)
                .onTermination().invoke(lease::stop)
                .onTermination().invoke(() -> claims.drop(held))
                .chain(submission -> submission instanceof Submission.Stopped && (held.givenBack() || held.withdrawn()
                                || claims.stopping())
                        ? givenBack(record, entry, held)
                        : settle(record, entry, submission))
                .onFailure().invoke(() -> unfinished.put(entry.requestId(),
                        new Unfinished(entry.leaseToken(), answer.get())));
    }

    /**
     * A submission stopped because the process is stopping: its claim, which sent nothing, is given back (unless
     * the stop did so already) for the next owner, and the record is left uncommitted for it.
     */
    private Uni<Disposition> givenBack(InboundRecord record, LedgerEntry entry, HeldClaims.Held held) {
        Uni<Boolean> giving = held.givenBack()
                ? Uni.createFrom().item(true)
                : ledger.call("give_back", l -> claims.giveBack(held));
        return giving.map(given -> {
            RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.infof(
                    "request %s (%s): the service is stopping; nothing was sent, so it is given back for its next "
                    + "owner", entry.requestId(), record.position()));
            return (Disposition) new Disposition.Abandoned(entry.requestId());
        });
    }

    /** Before each POST: the record must still be this replica's, and the lease still the request's. */
    private Uni<Boolean> mayAttempt(InboundRecord record, LeaseKeeper lease) {
        if (claims.stopping()) {
            return Uni.createFrom().item(false);
        }
        if (!record.fence().stillAssigned()) {
            LOG.infof("record %s: its partition was revoked; stopping before the next call to the cloud",
                    record.position());
            return Uni.createFrom().item(false);
        }
        return lease.renewNow();
    }

    /** Records the submission's outcome under the lease it was made with, then publishes the first result. */
    private Uni<Disposition> settle(InboundRecord record, LedgerEntry entry, Submission submission) {
        String requestId = entry.requestId();
        String token = entry.leaseToken();
        if (submission instanceof Submission.Stopped) {
            return ledger.persistently("relinquish", l -> l.relinquish(requestId, token, clock.instant()))
                    .chain(() -> {
                        if (!record.fence().stillAssigned()) {
                            RequestLog.with(requestId, entry.instanceId(), null, () -> LOG.infof(
                                    "request %s (%s) given back for the partition's new owner", requestId,
                                    record.position()));
                            return Uni.createFrom().item(new Disposition.Abandoned(requestId));
                        }
                        return ledger.call("find", l -> l.find(requestId).orElseThrow())
                                .chain(current -> recover(record, current, null));
                    });
        }
        if (submission instanceof Submission.Busy busy) {
            return park(record, entry, "the instance, busy with an operation this service did not start ("
                    + busy.reason() + ")", clock.instant().plus(queue.checkInterval()), busy.attempts());
        }
        Outcome outcome = outcome(submission);
        return ledger.persistently("record_outcome", l -> l.recordOutcome(requestId, token, outcome))
                .chain(recorded -> {
                    if (recorded.isPresent()) {
                        return publishFirst(record, recorded.get(), null);
                    }
                    RequestLog.with(requestId, entry.instanceId(), null, () -> LOG.errorf(
                            "request %s: its lease was taken over while it was being submitted; the cloud's answer "
                            + "(%s) is not recorded and the request keeps the outcome recorded by the other worker",
                            requestId, describe(submission)));
                    return ledger.call("find", l -> l.find(requestId).orElseThrow())
                            .chain(current -> recover(record, current, null));
                });
    }

    private static String describe(Submission submission) {
        if (submission instanceof Submission.Accepted accepted) {
            return "job " + accepted.jobId();
        }
        return submission.getClass().getSimpleName();
    }

    private Outcome outcome(Submission submission) {
        Instant now = clock.instant();
        if (submission instanceof Submission.Accepted accepted) {
            return new Outcome.Submitted(accepted.jobId(), accepted.attempts(), accepted.submittedAt(),
                    accepted.submittedAt().plus(firstPollDelay));
        }
        if (submission instanceof Submission.Refused refused) {
            return new Outcome.Failed(Bounded.text(refused.errorCode(), ID_COLUMN), refused.message(), refused.httpStatus(),
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
                : ledger.persistently("find", l -> l.find(entry.duplicateOf()).orElse(null));
        return original.chain(o -> answer(record, LedgerResults.first(entry, o), entry.firstResultId(),
                outcome(entry.firstStatus()), entry));
    }

    /**
     * Publishes a result; a request's first result is kept in the ledger before it goes out, so that publishing it
     * again after a crash sends the very same bytes.
     */
    private Uni<Disposition> answer(InboundRecord record, RestoreResult result, String eventId,
            RestoreMetrics.Outcome outcome, LedgerEntry firstOf) {
        String value = serialize(result);
        if (firstOf == null) {
            return publish(record, result, eventId, outcome, null, value);
        }
        // A REJECTED first result is built from a row that never changes: built again, it is the same bytes.
        boolean keep = firstOf.firstStatus() != LedgerState.REJECTED;
        String publisher = UUID.randomUUID().toString();
        return ledger.persistently("take_first_publication", l -> l.takeFirstPublication(firstOf.requestId(), value,
                        keep, publisher, clock.instant()))
                .chain(bytes -> bytes.isPresent()
                        ? publish(record, result, eventId, outcome, firstOf, bytes.get())
                        : awaitFirstPublication(record, firstOf));
    }

    /**
     * Another owner of the same record (a rebalance handed it to two replicas) is publishing the request's first
     * result: wait until it is published, or until that publisher's hold lapses (it died) and this one may.
     */
    private Uni<Disposition> awaitFirstPublication(InboundRecord record, LedgerEntry entry) {
        RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.debugf(
                "request %s (%s): its first result is being published by another owner of the record; waiting",
                entry.requestId(), record.position()));
        return Uni.createFrom().voidItem().onItem().delayIt().by(PUBLICATION_POLL)
                .chain(() -> ledger.persistently("find", l -> l.find(entry.requestId()).orElseThrow()))
                .chain(current -> publishFirst(record, current, null));
    }

    private Uni<Disposition> publish(InboundRecord record, RestoreResult result, String eventId,
            RestoreMetrics.Outcome outcome, LedgerEntry firstOf, String bytes) {
        Span publishing = tracing.startStep(record.span(), "publish result", SpanKind.PRODUCER);
        publishing.setAttribute("gaussdb.restore.status", result.status().name());
        String traceparent = tracing.traceparent(record.span());
        return results.publish(result, eventId, bytes, traceparent)
                .onTermination().invoke((ignored, failure, cancelled) -> Tracing.end(publishing, failure))
                .chain(() -> firstOf == null
                        ? Uni.createFrom().voidItem()
                        : ledger.markFirstResultPublished(firstOf.requestId()))
                .map(ignored -> {
                    metrics.request(outcome);
                    if (record.timestamp() != null) {
                        metrics.requestLatency(Duration.between(record.timestamp(), clock.instant()));
                    }
                    RequestLog.with(result.requestId(), result.instanceId(), result.jobId(),
                            Tracing.traceId(record.span()), () -> LOG.infof(
                            "request %s (%s): %s%s", result.requestId(), record.position(), result.status(),
                            result.jobId() == null ? "" : " job " + result.jobId()));
                    return new Disposition.Answered(result);
                });
    }

    private String serialize(RestoreResult result) {
        try {
            return json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result is plain strings, numbers and lists", e);
        }
    }

    /**
     * What a rejected request's row keeps of its record: all of it up to {@link #REJECTED_TEXT_BYTES}, else its
     * beginning and its length. Nothing is sent from it, and a near-1 MiB record would otherwise cost several
     * copies of itself in the ledger's write and read-back.
     */
    private static String rejectedText(InboundRecord record) {
        byte[] value = record.value();
        if (value.length <= REJECTED_TEXT_BYTES) {
            return text(record);
        }
        return new String(value, 0, REJECTED_TEXT_BYTES - 64, StandardCharsets.UTF_8) + "...[truncated from "
                + value.length + " bytes]";
    }

    static final int REJECTED_TEXT_BYTES = 64 * 1024;

    private static String text(InboundRecord record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private static RestoreMetrics.Outcome outcome(LedgerState firstStatus) {
        return switch (firstStatus) {
            case SUBMITTED -> RestoreMetrics.Outcome.SUBMITTED;
            case REJECTED -> RestoreMetrics.Outcome.REJECTED;
            case DUPLICATE -> RestoreMetrics.Outcome.DUPLICATE;
            case FAILED -> RestoreMetrics.Outcome.FAILED;
            case QUEUED -> RestoreMetrics.Outcome.QUEUED;
            case DRY_RUN -> RestoreMetrics.Outcome.DRY_RUN;
            default -> RestoreMetrics.Outcome.UNKNOWN;
        };
    }
}
