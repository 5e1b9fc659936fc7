package io.gaussrestore.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.observability.RequestLog;
import io.gaussrestore.observability.Tracing;
import io.gaussrestore.result.LedgerResults;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A request's results on the result topic: its first result, kept in the ledger before it goes out so that a
 * republication after a crash sends the very same bytes, published by one owner of its record at a time, and
 * noted as published. It only publishes: it never calls back into the pipeline.
 */
@ApplicationScoped
public class FirstResults {

    private static final Logger LOG = Logger.getLogger(FirstResults.class);

    @Inject LedgerCalls ledger;
    @Inject ResultSink results;
    @Inject RestoreMetrics metrics;
    @Inject Clock clock;
    @Inject ObjectMapper json;
    @Inject Tracing tracing;

    private static final Duration PUBLICATION_POLL = Duration.ofMillis(100);

    /** Publishes the request's first result (unless it already was) and notes it in the ledger. */
    Uni<Disposition> publishFirst(InboundRecord record, LedgerEntry entry, LedgerEntry knownOriginal) {
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
    Uni<Disposition> answer(InboundRecord record, RestoreResult result, String eventId,
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

    Uni<Disposition> publish(InboundRecord record, RestoreResult result, String eventId,
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

    String serialize(RestoreResult result) {
        try {
            return json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result is plain strings, numbers and lists", e);
        }
    }

    static RestoreMetrics.Outcome outcome(LedgerState firstStatus) {
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
