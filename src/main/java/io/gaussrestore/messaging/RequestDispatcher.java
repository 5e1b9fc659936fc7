package io.gaussrestore.messaging;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.pipeline.Disposition;
import io.gaussrestore.pipeline.InboundRecord;
import io.gaussrestore.pipeline.LedgerCalls;
import io.gaussrestore.pipeline.RestorePipeline;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.pipeline.Repeats;
import io.gaussrestore.request.Judged;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.throttling.CircuitBreaker;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Runs requests for different instances side by side and those for one instance one after the other, in
 * arrival order. A record that may reach the cloud is taken from the topic only when fewer than the configured
 * number of such records are in flight and the circuit to the cloud is not open; one answered without the cloud
 * waits only for one of its own few slots. Otherwise the consumer waits, and the Kafka source pauses its
 * partitions meanwhile (it keeps polling, so the group does not evict it). Offsets are committed in order by the
 * throttled commit strategy, whatever order the acknowledgements come in.
 */
@ApplicationScoped
public class RequestDispatcher {

    private static final Logger LOG = Logger.getLogger(RequestDispatcher.class);
    private static final Duration REPROCESS_AFTER = Duration.ofSeconds(2);

    private final RestorePipeline pipeline;
    private final RecordDecoder decoder;
    private final RestoreRequestValidator validator;
    private final PartitionOwnership ownership;
    private final RestoreMetrics metrics;
    private final Repeats repeats;
    private final Duration transientDeadline;
    private final Duration window;
    private final Clock clock;
    private final Admission admission;
    private final ArrivalOrder order = new ArrivalOrder();

    public RequestDispatcher(RestorePipeline pipeline, RecordDecoder decoder, RestoreRequestValidator validator,
            CircuitBreaker circuit, PartitionOwnership ownership, RestoreMetrics metrics, Repeats repeats,
            RestoreConfig config, Clock clock) {
        this.clock = clock;
        this.pipeline = pipeline;
        this.decoder = decoder;
        this.validator = validator;
        this.ownership = ownership;
        this.metrics = metrics;
        this.repeats = repeats;
        this.transientDeadline = config.ledger().transientRetryDeadline();
        this.window = config.ledger().window();
        this.admission = new Admission(circuit, config.throttling().maxInFlight());
    }

    /**
     * Completes when the record is admitted; its processing and acknowledgement continue in the background. The
     * record is decoded and judged once, as it is read: what it is decides which slots it waits for, and the
     * verdict travels with it to the end.
     */
    public Uni<Void> dispatch(Message<byte[]> message) {
        long bytes = message.getPayload() == null ? 0 : message.getPayload().length;
        return admission.bytes(bytes).chain(() -> judgeAndAdmit(message, bytes));
    }

    private Uni<Void> judgeAndAdmit(Message<byte[]> message, long bytes) {
        Instant readAt = clock.instant();
        InboundRecord read = KafkaRecords.inbound(message, ownership);
        Judged judged = Judged.of(message.getPayload(), read.timestamp(), readAt, window, decoder, validator);
        Place place = place(judged, message.getPayload());
        Lane lane = lane(place, readAt);
        InboundRecord inbound = lane == Lane.SETTLED_REPEAT
                ? read.readAt(readAt, judged).asSeenSettled()
                : read.readAt(readAt, judged);
        return admission.enter(lane == Lane.IN_LINE, bytes)
                .invoke(pass -> start(message, inbound, place, lane, pass))
                .replaceWithVoid();
    }

    /** Where a record runs: at once, beside its instance's records, or in their order. */
    enum Lane {
        /** Its request_id was seen settled: a repeat, answered with that outcome whatever its turn. */
        SETTLED_REPEAT,
        /** It never reaches the cloud (or is expected not to): it runs beside the records of its instance. */
        BESIDE_LINE,
        /** It may reach the cloud: it waits for the records of its instance before it. */
        IN_LINE
    }

    private Lane lane(Place place, Instant readAt) {
        if (place.requestId() != null && repeats.settledLately(place.requestId(), readAt)) {
            return Lane.SETTLED_REPEAT;
        }
        return place.neverReachesCloud(key -> repeats.heldLately(key, readAt)) ? Lane.BESIDE_LINE : Lane.IN_LINE;
    }

    private void start(Message<byte[]> message, InboundRecord inbound, Place place, Lane lane, Admission.Pass pass) {
        ArrivalOrder.Turn turn = switch (lane) {
            case SETTLED_REPEAT -> ArrivalOrder.atOnce();
            case BESIDE_LINE -> order.beside(place.key());
            case IN_LINE -> order.inOrder(place.key());
        };
        turn.previous.whenComplete((ignored, failure) -> process(message, inbound, place).subscribe().with(
                done -> finish(turn, pass),
                error -> {
                    LOG.errorf("record %s could not be settled: %s", inbound.position(), error.toString());
                    finish(turn, pass);
                }));
    }

    private void finish(ArrivalOrder.Turn turn, Admission.Pass pass) {
        admission.leave(pass);
        order.done(turn);
    }

    /**
     * Processes until the record is settled. A transient failure (the ledger or the broker away) is retried up to
     * the transient-retry deadline; any other failure, or one that outlasts the deadline, sends the record to the
     * dead-letter topic with its reason: no record can hold its partition for ever.
     */
    private Uni<Void> process(Message<byte[]> message, InboundRecord inbound, Place place) {
        return Uni.createFrom().deferred(() -> pipeline.process(inbound))
                .onFailure(RequestDispatcher::transientFailure).invoke(e -> LOG.errorf(
                        "processing %s failed, trying again: %s", inbound.position(), e.toString()))
                .onFailure(RequestDispatcher::transientFailure).retry()
                .withBackOff(REPROCESS_AFTER, Duration.ofMinutes(1)).expireIn(transientDeadline.toMillis())
                .onFailure().recoverWithItem(e -> unprocessable(inbound, e))
                .invoke(disposition -> {
                    if (disposition instanceof Disposition.Answered answered) {
                        repeats.learn(place.requestId(), place.businessKey(), answered.result());
                    }
                })
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

    /**
     * Where a record stands in line: its instance's key, whether it breaks the rules (it then never reaches the
     * cloud), its well-formed request_id if it has one, and the business key of a valid request that is not a dry
     * run (null otherwise).
     */
    record Place(String key, boolean rejected, String requestId, String businessKey) {

        /**
         * Whether the record may run beside its group instead of waiting for the record before it: it breaks the
         * rules, or it asks for a restore remembered as held by a started job (a DUPLICATE whatever its turn;
         * the ledger decides, should the memory be wrong).
         */
        boolean neverReachesCloud(Predicate<String> submittedKey) {
            return rejected || businessKey != null && submittedKey.test(businessKey);
        }
    }

    /**
     * Requests of one instance share a key; records without a readable instance_id are not ordered. A record that
     * breaks the rules is answered REJECTED whatever came before it, so it need not wait for the others of its group.
     */
    static Place place(Judged judged, byte[] value) {
        if (judged.instanceId() != null) {
            String businessKey = judged.check() instanceof RequestCheck.Valid valid && !valid.request().dryRun()
                    ? judged.businessKey()
                    : null;
            return new Place("instance:" + judged.instanceId(), judged.rejected(), judged.requestId(), businessKey);
        }
        return new Place("unordered:" + System.identityHashCode(value), false, null, null);
    }

}
