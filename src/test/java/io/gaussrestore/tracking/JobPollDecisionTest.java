package io.gaussrestore.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.cloud.ApiErrorBody;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.TrackingUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobPollDecisionTest {

    private static final Instant SUBMITTED = Instant.parse("2026-11-28T06:00:00Z");
    private static final TrackingRules RULES = new TrackingRules(Duration.ofSeconds(10), 0.2, Duration.ofMinutes(1),
            Duration.ofHours(6));

    private static LedgerEntry entry(LedgerState state, String jobStatus, String progress) {
        return new LedgerEntry("r", "k", "p", "i", state, LedgerState.SUBMITTED, "e", true, "{}", null, null, null,
                "job-1", 1, null, null, null, null, null, null, progress, "s", null, null, SUBMITTED, SUBMITTED, null,
                SUBMITTED, jobStatus, SUBMITTED, 0, "me", SUBMITTED.plusSeconds(60), null, true, null, null, null, null, null, null, null, null);
    }

    private static ApiResult job(String status, String process, String ended, String failReason) {
        return new ApiResult.Success(200, """
                {"job": {"id": "job-1", "name": "GaussDBV5RestoreTables", "status": "%s", "created": "2026-11-28T14:00:00+0800",
                 "ended": "%s", "process": "%s", "instance": {"id": "i", "name": "n"}, "entities": {}, "fail_reason": "%s"}}
                """.formatted(status, ended, process, failReason), "x");
    }

    private static ApiResult error(int status, String code) {
        return new ApiResult.ErrorResponse(status, Optional.of(new ApiErrorBody(code, "msg " + code)), null, "x");
    }

    @Test
    void aChangeOfProgressIsPublishedOnce() {
        Instant now = SUBMITTED.plusSeconds(20);
        TrackingUpdate first = JobPollDecision.decide(entry(LedgerState.SUBMITTED, null, null), job("Running", "30%", "", ""), now, RULES, 0.5);
        assertThat(first.state()).isEqualTo(LedgerState.RUNNING);
        assertThat(first.progress()).isEqualTo("30%");
        assertThat(first.eventId()).isNotNull();
        assertThat(first.nextPollAt()).isEqualTo(now.plusSeconds(10));

        TrackingUpdate same = JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "30%"), job("Running", "30%", "", ""), now, RULES, 0.5);
        assertThat(same.eventId()).as("no change, no result").isNull();
        TrackingUpdate pendingToRunning = JobPollDecision.decide(entry(LedgerState.RUNNING, "Pending", null), job("Running", "", "", ""), now, RULES, 0.5);
        assertThat(pendingToRunning.eventId()).as("a status change is published").isNotNull();
    }

    @Test
    void aCompletedJobEndsWithItsEndTime() {
        TrackingUpdate done = JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "90%"),
                job("Completed", "100%", "2026-11-28T14:05:10+0800", ""), SUBMITTED.plusSeconds(400), RULES, 0.5);
        assertThat(done.state()).isEqualTo(LedgerState.COMPLETED);
        assertThat(done.finishedAt()).isEqualTo(Instant.parse("2026-11-28T06:05:10Z"));
        assertThat(done.nextPollAt()).isNull();
        assertThat(done.eventId()).isNotNull();
    }

    @Test
    void aFailedJobEndsFailedWithItsReason() {
        TrackingUpdate failed = JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "50%"),
                job("Failed", "", "2026-11-28T14:01:00+0800", "table t3 has triggers"), SUBMITTED.plusSeconds(70), RULES, 0.5);
        assertThat(failed.state()).isEqualTo(LedgerState.FAILED);
        assertThat(failed.errorCode()).isEqualTo("JOB_FAILED");
        assertThat(failed.errorMessage()).isEqualTo("table t3 has triggers");
        assertThat(failed.jobStatus()).isEqualTo("Failed");
    }

    @ParameterizedTest(name = "{0} s after submission -> {1}")
    @CsvSource({"5,SUBMITTED", "59,SUBMITTED", "60,UNKNOWN", "600,UNKNOWN"})
    void aJobNotFoundIsToleratedForItsFirstMinute(long seconds, LedgerState expected) {
        TrackingUpdate update = JobPollDecision.decide(entry(LedgerState.SUBMITTED, null, null), error(400, "DBS.200543"),
                SUBMITTED.plusSeconds(seconds), RULES, 0.5);
        assertThat(update.state()).isEqualTo(expected);
        assertThat(update.eventId() == null).isEqualTo(expected == LedgerState.SUBMITTED);
    }

    @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
    @CsvSource({"500,DBS.108000,RUNNING", "429,APIGW.0308,RUNNING", "401,APIGW.0301,RUNNING", "403,DBS.200010,UNKNOWN",
            "404,DBS.200002,UNKNOWN"})
    void otherErrorsAreClassifiedLikeAnyCall(int status, String code, LedgerState expected) {
        TrackingUpdate update = JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "10%"), error(status, code),
                SUBMITTED.plusSeconds(100), RULES, 0.5);
        assertThat(update.state()).isEqualTo(expected);
    }

    @Test
    void trackingGivesUpAfterTheDeadline() {
        Instant late = SUBMITTED.plus(Duration.ofHours(6)).plusSeconds(1);
        assertThat(JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "10%"), error(500, "DBS.108000"), late, RULES, 0.5)
                .state()).isEqualTo(LedgerState.UNKNOWN);
        TrackingUpdate stillRunning = JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "10%"),
                job("Running", "11%", "", ""), late, RULES, 0.5);
        assertThat(stillRunning.state()).isEqualTo(LedgerState.UNKNOWN);
        assertThat(stillRunning.errorMessage()).contains("gave up");
        assertThat(JobPollDecision.decide(entry(LedgerState.RUNNING, "Running", "10%"), job("Completed", "", "", ""), late, RULES, 0.5)
                .state()).as("an end seen late still counts").isEqualTo(LedgerState.COMPLETED);
    }

    @ParameterizedTest(name = "random {0} -> {1} ms")
    @CsvSource({"0.0,8000", "0.5,10000", "0.999999,12000"})
    void pollsAreSpreadByTheJitter(double random, long millis) {
        assertThat(Duration.between(SUBMITTED, JobPollDecision.next(SUBMITTED, RULES, random)).toMillis()).isEqualTo(millis);
    }
}
