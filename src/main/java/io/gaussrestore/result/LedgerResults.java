package io.gaussrestore.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.request.Violation;
import java.util.List;

/** The one place where what the ledger remembers becomes a result event. */
public final class LedgerResults {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<List<Violation>> VIOLATIONS = new TypeReference<>() {};

    private LedgerResults() {}

    /** The request's first result, as it was (or will be) published. */
    public static RestoreResult first(LedgerEntry entry, LedgerEntry originalOfDuplicate) {
        if (entry.firstStatus() == LedgerState.DUPLICATE) {
            return duplicate(entry, originalOfDuplicate);
        }
        return view(entry, entry.firstStatus());
    }

    /** The request's latest state in the shape of a result event ({@code GET /restores/{id}}). */
    public static RestoreResult latest(LedgerEntry entry) {
        return view(entry, entry.state());
    }

    /**
     * A DUPLICATE answer for {@code entry}, naming the original and its current status; while the original is
     * still being sent it has no published status yet, and original_status is left out.
     */
    public static RestoreResult duplicate(LedgerEntry entry, LedgerEntry original) {
        return base(entry, ResultStatus.DUPLICATE)
                .jobId(original == null ? entry.jobId() : original.jobId())
                .duplicateOf(original == null ? entry.duplicateOf() : original.requestId(),
                        original == null ? null : published(original.state()))
                .build();
    }

    private static RestoreResult view(LedgerEntry entry, LedgerState state) {
        ResultStatus status = status(state);
        RestoreResult.Builder result = base(entry, status)
                .jobId(entry.jobId())
                .submittedAt(entry.submittedAt())
                .finishedAt(entry.finishedAt())
                .progress(entry.progress())
                .jobStatus(entry.jobStatus());
        if (entry.attempts() > 0) {
            result.attempts(entry.attempts());
        }
        if (status == ResultStatus.QUEUED) {
            result.queue(new QueueInfo(entry.queuePlace(), entry.waitingFor(), entry.queuedAt(), entry.queueDeadline()));
        } else if (status == ResultStatus.REJECTED) {
            result.error(new ResultError(entry.errorCode(), entry.errorMessage(), null, false, violations(entry)));
        } else if (status == ResultStatus.FAILED || status == ResultStatus.UNKNOWN || status == ResultStatus.CANCELLED) {
            result.error(new ResultError(entry.errorCode(), entry.errorMessage(), entry.httpStatus(), entry.retryable(), null));
        } else if (status == ResultStatus.DRY_RUN) {
            result.dryRun(dryRun(entry));
        } else if (status == ResultStatus.DUPLICATE) {
            result.duplicateOf(entry.duplicateOf(), null);
        }
        return result.build();
    }

    private static RestoreResult.Builder base(LedgerEntry entry, ResultStatus status) {
        return RestoreResult.of(entry.requestId(), status)
                .idempotencyKey(entry.businessKey())
                .target(entry.projectId(), entry.instanceId())
                .receivedAt(entry.receivedAt())
                .audit(entry.requestedBy(), entry.reason(), entry.ticket());
    }

    private static ResultStatus status(LedgerState state) {
        return switch (state) {
            case RECEIVED, SUBMITTING -> ResultStatus.SUBMITTING;
            default -> ResultStatus.valueOf(state.name());
        };
    }

    /** A view of a waiting request with its current place in line. */
    public static RestoreResult queued(LedgerEntry entry, int place) {
        return base(entry, ResultStatus.QUEUED)
                .queue(new QueueInfo(place, entry.waitingFor(), entry.queuedAt(), entry.queueDeadline()))
                .build();
    }

    /** The status a result reports for a state; none for RECEIVED and SUBMITTING, which are never published. */
    static ResultStatus published(LedgerState state) {
        return state == LedgerState.RECEIVED || state == LedgerState.SUBMITTING ? null : ResultStatus.valueOf(state.name());
    }

    private static List<Violation> violations(LedgerEntry entry) {
        if (entry.errorDetails() == null) {
            return List.of();
        }
        try {
            return JSON.readValue(entry.errorDetails(), VIOLATIONS);
        } catch (JsonProcessingException e) {
            return List.of(new Violation("$", entry.errorDetails()));
        }
    }

    private static DryRunReport dryRun(LedgerEntry entry) {
        try {
            return JSON.readValue(entry.errorDetails(), DryRunReport.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new DryRunReport(entry.errorCode(), entry.errorMessage(), null, null, null, null, null);
        }
    }

    /** A dry run's findings as stored in the ledger. */
    public static String dryRunJson(DryRunReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a dry-run report is plain strings, times and lists", e);
        }
    }

    /** The violations as stored in the ledger. */
    public static String violationsJson(List<Violation> violations) {
        try {
            return JSON.writeValueAsString(violations);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("violations are plain strings", e);
        }
    }
}
