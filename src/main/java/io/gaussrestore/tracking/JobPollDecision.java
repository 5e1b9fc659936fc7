package io.gaussrestore.tracking;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.ErrorClass;
import io.gaussrestore.gaussdb.ErrorClassifier;
import io.gaussrestore.gaussdb.JobInfo;
import io.gaussrestore.cloud.Operation;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.TrackingUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Decides what one answer of the job-status call means for a tracked request. Pure but for the event id. */
public final class JobPollDecision {

    private JobPollDecision() {}

    /**
     * @param random a number in [0, 1) that spreads the next poll
     */
    public static TrackingUpdate decide(LedgerEntry entry, ApiResult result, Instant now, TrackingRules rules,
            double random) {
        Instant submittedAt = entry.submittedAt() == null ? entry.receivedAt() : entry.submittedAt();
        boolean pastDeadline = now.isAfter(submittedAt.plus(rules.deadline()));
        if (result instanceof ApiResult.Success success) {
            Optional<JobInfo> job = JobInfo.parse(success.body());
            if (job.isPresent()) {
                return fromJob(entry, job.get(), now, rules, random, pastDeadline);
            }
            return pastDeadline
                    ? unknown(entry, "tracking gave up after " + rules.deadline() + ": the job status could not be read", now)
                    : again(entry, now, rules, random);
        }
        if (result instanceof ApiResult.ErrorResponse error
                && ErrorClassifier.JOB_NOT_FOUND.equals(error.errorCode())
                && !now.isBefore(submittedAt.plus(rules.notFoundGrace()))) {
            return unknown(entry, "job " + entry.jobId() + " does not exist (any more): " + error.errorMessage(), now);
        }
        ErrorClass errorClass = ErrorClassifier.classify(Operation.JOB, result);
        if (errorClass == ErrorClass.PERMANENT) {
            return unknown(entry, "tracking stopped: the cloud refused the job-status call: " + result.describe(), now);
        }
        if (pastDeadline) {
            return unknown(entry, "tracking gave up after " + rules.deadline() + "; last error: " + result.describe(), now);
        }
        return again(entry, now, rules, random);
    }

    private static TrackingUpdate fromJob(LedgerEntry entry, JobInfo job, Instant now, TrackingRules rules,
            double random, boolean pastDeadline) {
        if (job.completed()) {
            return new TrackingUpdate(LedgerState.COMPLETED, job.status(), "100%", job.ended().orElse(now), null, null,
                    null, newEvent());
        }
        if (job.failed()) {
            String reason = job.failReason().isBlank() ? "the job failed without giving a reason" : job.failReason();
            return new TrackingUpdate(LedgerState.FAILED, job.status(), job.process().isBlank() ? null : job.process(),
                    job.ended().orElse(now), "JOB_FAILED", reason, null, newEvent());
        }
        if (pastDeadline) {
            return unknown(entry, "tracking gave up after " + rules.deadline() + " with the job still " + job.status(), now);
        }
        String progress = job.process().isBlank() ? null : job.process();
        boolean changed = !job.status().equals(entry.jobStatus()) || !equal(progress, entry.progress());
        return new TrackingUpdate(LedgerState.RUNNING, job.status(), progress, null, null, null,
                next(now, rules, random), changed ? newEvent() : null);
    }

    private static TrackingUpdate again(LedgerEntry entry, Instant now, TrackingRules rules, double random) {
        return new TrackingUpdate(entry.state(), entry.jobStatus(), entry.progress(), null, null, null,
                next(now, rules, random), null);
    }

    private static TrackingUpdate unknown(LedgerEntry entry, String message, Instant now) {
        return new TrackingUpdate(LedgerState.UNKNOWN, entry.jobStatus(), entry.progress(), now, "TRACKING_GAVE_UP",
                message, null, newEvent());
    }

    /** The next poll: the interval spread by plus or minus the jitter. */
    static Instant next(Instant now, TrackingRules rules, double random) {
        double factor = 1 + rules.jitter() * (2 * random - 1);
        return now.plus(Duration.ofMillis(Math.max(1, Math.round(rules.interval().toMillis() * factor))));
    }

    private static boolean equal(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static String newEvent() {
        return UUID.randomUUID().toString();
    }
}
