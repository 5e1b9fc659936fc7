package io.gaussrestore.messaging;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.pipeline.Disposition;
import io.gaussrestore.pipeline.InboundRecord;
import io.gaussrestore.pipeline.LedgerCalls;
import io.gaussrestore.pipeline.RestorePipeline;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.throttling.CircuitBreaker;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Runs requests for different instances side by side and those for one instance one after the other, in
 * arrival order. A record is taken from the topic only when fewer than the configured number are in flight and
 * the circuit to the cloud is not open; otherwise the consumer waits, and the Kafka source pauses its partitions
 * meanwhile (it keeps polling, so the group does not evict it). Offsets are committed in order by the
 * throttled commit strategy, whatever order the acknowledgements come in.
 */
@ApplicationScoped
public class RequestDispatcher {

    private static final Logger LOG = Logger.getLogger(RequestDispatcher.class);
    private static final Duration ADMISSION_POLL = Duration.ofMillis(50);
    private static final Duration MAX_ADMISSION_POLL = Duration.ofMillis(250);
    private static final Duration REPROCESS_AFTER = Duration.ofSeconds(2);

    private final RestorePipeline pipeline;
    private final RecordDecoder decoder;
    private final CircuitBreaker circuit;
    private final PartitionOwnership ownership;
    private final RestoreMetrics metrics;
    private final Duration transientDeadline;
    private final int maxInFlight;
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();
    private int inFlight;

    public RequestDispatcher(RestorePipeline pipeline, RecordDecoder decoder, CircuitBreaker circuit,
            PartitionOwnership ownership, RestoreMetrics metrics, RestoreConfig config) {
        this.pipeline = pipeline;
        this.decoder = decoder;
        this.circuit = circuit;
        this.ownership = ownership;
        this.metrics = metrics;
        this.transientDeadline = config.ledger().transientRetryDeadline();
        this.maxInFlight = config.throttling().maxInFlight();
    }

    /** Completes when the record is admitted; its processing and acknowledgement continue in the background. */
    public Uni<Void> dispatch(Message<byte[]> message) {
        return admission().invoke(admission -> start(message, admission)).replaceWithVoid();
    }

    private Uni<CircuitBreaker.Admission> admission() {
        return Uni.createFrom().<CircuitBreaker.Admission>deferred(() -> {
                    CircuitBreaker.Admission admission = tryAdmit();
                    return admission == CircuitBreaker.Admission.REFUSED
                            ? Uni.createFrom().failure(new NotAdmitted())
                            : Uni.createFrom().item(admission);
                })
                .onFailure(NotAdmitted.class).retry().withBackOff(ADMISSION_POLL, MAX_ADMISSION_POLL).indefinitely();
    }

    private synchronized CircuitBreaker.Admission tryAdmit() {
        if (inFlight >= maxInFlight) {
            return CircuitBreaker.Admission.REFUSED;
        }
        CircuitBreaker.Admission admission = circuit.admit();
        if (admission != CircuitBreaker.Admission.REFUSED) {
            inFlight++;
        }
        return admission;
    }

    private void start(Message<byte[]> message, CircuitBreaker.Admission admission) {
        String key = orderingKey(message.getPayload());
        CompletableFuture<Void> previous;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        synchronized (this) {
            previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
            tails.put(key, mine);
        }
        InboundRecord inbound = KafkaRecords.inbound(message, ownership);
        previous.whenComplete((ignored, failure) -> process(message, inbound).subscribe().with(
                done -> finish(key, mine, admission),
                error -> {
                    LOG.errorf("record %s could not be settled: %s", inbound.position(), error.toString());
                    finish(key, mine, admission);
                }));
    }

    /**
     * Processes until the record is settled. A transient failure (the ledger or the broker away) is retried up to
     * the transient-retry deadline; any other failure, or one that outlasts the deadline, sends the record to the
     * dead-letter topic with its reason: no record can hold its partition for ever.
     */
    private Uni<Void> process(Message<byte[]> message, InboundRecord inbound) {
        return Uni.createFrom().deferred(() -> pipeline.process(inbound))
                .onFailure(RequestDispatcher::transientFailure).invoke(e -> LOG.errorf(
                        "processing %s failed, trying again: %s", inbound.position(), e.toString()))
                .onFailure(RequestDispatcher::transientFailure).retry()
                .withBackOff(REPROCESS_AFTER, Duration.ofMinutes(1)).expireIn(transientDeadline.toMillis())
                .onFailure().recoverWithItem(e -> unprocessable(inbound, e))
                .chain(disposition -> KafkaRecords.settle(message, disposition));
    }

    private Disposition unprocessable(InboundRecord inbound, Throwable failure) {
        boolean outlasted = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            outlasted |= transientFailure(t);
        }
        String reason = outlasted
                ? "record could not be processed: a transient failure outlasted " + transientDeadline
                : "record could not be processed: a failure that would repeat";
        LOG.errorf(failure, "record %s dead-lettered: %s", inbound.position(), reason);
        metrics.request(RestoreMetrics.Outcome.DEAD_LETTERED);
        StringBuilder detail = new StringBuilder();
        for (Throwable t = failure; t != null && detail.length() < 2000; t = t.getCause()) {
            detail.append(detail.length() == 0 ? "" : "; caused by ").append(t);
        }
        return new Disposition.DeadLetter(reason, Bounded.text(detail.toString(), 2000));
    }

    /** The ledger's store or the broker away for a while: the same work may pass later. */
    static boolean transientFailure(Throwable failure) {
        return LedgerCalls.isTransient(failure) || failure instanceof org.apache.kafka.common.errors.RetriableException
                || failure instanceof java.util.concurrent.TimeoutException
                || failure.getCause() instanceof org.apache.kafka.common.errors.RetriableException;
    }

    private synchronized void finish(String key, CompletableFuture<Void> mine, CircuitBreaker.Admission admission) {
        if (admission == CircuitBreaker.Admission.PROBE) {
            circuit.probeEnded();
        }
        inFlight--;
        if (tails.get(key) == mine) {
            tails.remove(key);
        }
        mine.complete(null);
    }

    /** Requests of one instance share a key; records without a readable instance_id are not ordered. */
    private String orderingKey(byte[] value) {
        RecordDecoder.Decoded decoded = decoder.decode(value);
        if (decoded instanceof RecordDecoder.Decoded.Json json && json.object().path("instance_id").isTextual()) {
            return "instance:" + json.object().path("instance_id").asText();
        }
        return "unordered:" + System.identityHashCode(value);
    }

    private static final class NotAdmitted extends RuntimeException {
        NotAdmitted() {
            super(null, null, false, false);
        }
    }
}
