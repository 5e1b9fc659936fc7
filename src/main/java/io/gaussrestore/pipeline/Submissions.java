package io.gaussrestore.pipeline;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.ErrorClass;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.observability.Tracing;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.result.ResultError;
import io.gaussrestore.submission.RestoreSubmitter;
import io.gaussrestore.submission.Submission;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * A claimed request sent to the cloud under its lease (kept alive while the submission waits), and what came of
 * it recorded under that lease. It answers what the record's path does next ({@link Next}); it never calls back.
 */
@ApplicationScoped
public class Submissions {

    private static final Logger LOG = Logger.getLogger(Submissions.class);

    /** What follows a submission. */
    sealed interface Next {
        /** The record is answered (its first result is out) or given back. */
        record Done(Disposition disposition) implements Next {}

        /** The ledger's state changed under it: carry on from this state. */
        record Recover(LedgerEntry current) implements Next {}

        /**
         * The instance is busy with an operation this service did not start: wait in its line. Nothing is recorded
         * yet: should parking fail, the answer is the lease holder's unfinished work.
         */
        record Park(Submission.Busy busy, String waitingFor, Instant checkAt) implements Next {}
    }

    private final RestoreSubmitter submitter;
    private final LedgerCalls ledger;
    private final HeldClaims claims;
    private final FirstResults firstResults;
    private final UnfinishedWork unfinished;
    private final Tracing tracing;
    private final Clock clock;
    private final Duration firstPollDelay;
    private final Duration checkInterval;

    public Submissions(RestoreSubmitter submitter, LedgerCalls ledger, HeldClaims claims, FirstResults firstResults,
            UnfinishedWork unfinished, Tracing tracing, Clock clock, RestoreConfig config) {
        this.submitter = submitter;
        this.ledger = ledger;
        this.claims = claims;
        this.firstResults = firstResults;
        this.unfinished = unfinished;
        this.tracing = tracing;
        this.clock = clock;
        this.firstPollDelay = config.tracking().firstPollDelay();
        this.checkInterval = config.queue().checkInterval();
    }

    /** Submits under the entry's lease and records what came of it; null {@code request}: it no longer passes. */
    Uni<Next> submit(InboundRecord record, LedgerEntry entry, RestoreRequest request, int firstAttempt) {
        if (request == null) {
            return settle(record, entry, new Submission.Refused(ResultError.VALIDATION_FAILED,
                    "the request no longer passes validation with the current rules; nothing was sent", null,
                    ErrorClass.PERMANENT, 0));
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
                .onFailure().invoke(() -> unfinished.note(entry.requestId(), entry.leaseToken(), answer.get()));
    }

    /**
     * A submission stopped because the process is stopping: its claim, which sent nothing, is given back (unless
     * the stop did so already) for the next owner, and the record is left uncommitted for it.
     */
    private Uni<Next> givenBack(InboundRecord record, LedgerEntry entry, HeldClaims.Held held) {
        Uni<Boolean> giving = held.givenBack()
                ? Uni.createFrom().item(true)
                : ledger.call("give_back", l -> claims.giveBack(held));
        return giving.map(given -> {
            RequestLog.with(entry.requestId(), entry.instanceId(), null, () -> LOG.infof(
                    "request %s (%s): the service is stopping; nothing was sent, so it is given back for its next "
                    + "owner", entry.requestId(), record.position()));
            return new Next.Done(new Disposition.Abandoned(entry.requestId()));
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
    Uni<Next> settle(InboundRecord record, LedgerEntry entry, Submission submission) {
        String requestId = entry.requestId();
        String token = entry.leaseToken();
        if (submission instanceof Submission.Stopped) {
            return ledger.persistently("relinquish", l -> l.relinquish(requestId, token, clock.instant()))
                    .chain(() -> {
                        if (!record.fence().stillAssigned()) {
                            RequestLog.with(requestId, entry.instanceId(), null, () -> LOG.infof(
                                    "request %s (%s) given back for the partition's new owner", requestId,
                                    record.position()));
                            return Uni.createFrom().item(new Next.Done(new Disposition.Abandoned(requestId)));
                        }
                        return current(requestId);
                    });
        }
        if (submission instanceof Submission.Busy busy) {
            return Uni.createFrom().item(new Next.Park(busy, "the instance, busy with an operation this service did "
                    + "not start (" + busy.reason() + ")", clock.instant().plus(checkInterval)));
        }
        Outcome outcome = outcome(submission);
        return ledger.persistently("record_outcome", l -> l.recordOutcome(requestId, token, outcome))
                .chain(recorded -> {
                    if (recorded.isPresent()) {
                        return firstResults.publishFirst(record, recorded.get(), null).map(Next.Done::new);
                    }
                    RequestLog.with(requestId, entry.instanceId(), null, () -> LOG.errorf(
                            "request %s: its lease was taken over while it was being submitted; the cloud's answer "
                            + "(%s) is not recorded and the request keeps the outcome recorded by the other worker",
                            requestId, describe(submission)));
                    return current(requestId);
                });
    }

    private Uni<Next> current(String requestId) {
        return ledger.call("find", l -> l.find(requestId).orElseThrow()).map(Next.Recover::new);
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
            return new Outcome.Failed(Bounded.text(refused.errorCode(), Rejections.ID_COLUMN), refused.message(),
                    refused.httpStatus(), refused.errorClass().retryable(), refused.attempts(), now);
        }
        Submission.Unknown unknown = (Submission.Unknown) submission;
        return new Outcome.Unknown(unknown.message(), unknown.attempts(), now);
    }
}
