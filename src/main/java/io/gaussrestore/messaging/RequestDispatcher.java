package io.gaussrestore.messaging;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.pipeline.Disposition;
import io.gaussrestore.pipeline.InboundRecord;
import io.gaussrestore.pipeline.LedgerCalls;
import io.gaussrestore.pipeline.RestorePipeline;
import io.gaussrestore.request.Bounded;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultStatus;
import io.gaussrestore.throttling.CircuitBreaker;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private static final Duration ADMISSION_POLL = Duration.ofMillis(50);
    private static final Duration MAX_ADMISSION_POLL = Duration.ofMillis(250);
    private static final Duration REPROCESS_AFTER = Duration.ofSeconds(2);
    private static final int SETTLED_IDS = 50_000;
    private static final Duration SETTLED_MEMORY = Duration.ofHours(1);

    private final RestorePipeline pipeline;
    private final RecordDecoder decoder;
    private final CircuitBreaker circuit;
    private final PartitionOwnership ownership;
    private final RestoreMetrics metrics;
    private final Duration transientDeadline;
    private final RestoreRequestValidator validator;
    private final Clock clock;
    private final Map<String, Line> lines = new HashMap<>();
    /**
     * Request ids this process saw settled in the last hour, so known to the ledger (which keeps them for the
     * de-duplication window, days): a record that repeats one is answered with that request's outcome, changes
     * nothing and never reaches the cloud, so it does not wait in any line. Bounded; the eldest are forgotten
     * (such a repeat then simply waits its turn).
     */
    private final Map<String, Instant> settledIds = bounded();
    /**
     * Business keys of restores this process saw held by a started job in the last {@link #SUBMITTED_KEY_MEMORY}
     * (a request answered SUBMITTED, or a duplicate answered with its original submitted, running, completed or
     * unknown): a new request_id for the same restore is then a DUPLICATE and never reaches the cloud, so such
     * records join the rule-breaking ones that run side by side instead of each waiting for the one before it. A
     * storm keeps the memory fresh with its own answers. Should the job have failed meanwhile (the key is then
     * free), the record is claimed and sent from within its group: the group holds no other record that reaches the
     * cloud unless it too was so mistaken, and the ledger's instance queue keeps even those two from running at
     * once. Bounded like the ids.
     */
    private final Map<String, Instant> submittedKeys = bounded();
    private static final Duration SUBMITTED_KEY_MEMORY = Duration.ofSeconds(10);
    private final Duration submittedKeyMemory;
    /** Records that may reach the cloud: as many at once as configured, and only when the circuit lets them. */
    private final Slots toCloud;
    /**
     * Records expected to be answered without the cloud (they break the rules, repeat a settled request_id, or ask
     * for a restore held by a started job): their own few slots, so a storm of them neither waits for the cloud's
     * slots nor fills them, and keeps few of its ledger calls queued ahead of other requests' calls.
     */
    private final Slots answeredHere = new Slots(ANSWERED_HERE_IN_FLIGHT);
    static final int ANSWERED_HERE_IN_FLIGHT = 32;
    /**
     * Bytes of records in flight at once, whatever their lane: a record is read only when its bytes fit (one larger
     * than the whole budget goes alone), so that records near the size limit cannot together outgrow the heap.
     */
    static final long PAYLOAD_BYTES_IN_FLIGHT = 4L * 1024 * 1024;
    private final Slots payloadBytes = new Slots(PAYLOAD_BYTES_IN_FLIGHT);

    /**
     * The order of one instance's records: each record that may reach the cloud waits for everything before it
     * (the barrier and the group); records that cannot reach the cloud (they break the rules) or are expected not
     * to (they ask again for a restore held by a started job) form a group that runs side by side, after the
     * barrier and before the next record that may reach the cloud.
     */
    private static final class Line {
        CompletableFuture<Void> barrier = CompletableFuture.completedFuture(null);
        Group group;
        int pending;
    }

    /** Rule-breaking records running side by side; done when the last of them is. */
    private static final class Group {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int running;
    }

    public RequestDispatcher(RestorePipeline pipeline, RecordDecoder decoder, RestoreRequestValidator validator,
            CircuitBreaker circuit, PartitionOwnership ownership, RestoreMetrics metrics, RestoreConfig config,
            Clock clock) {
        this.clock = clock;
        this.pipeline = pipeline;
        this.decoder = decoder;
        this.validator = validator;
        this.circuit = circuit;
        this.ownership = ownership;
        this.metrics = metrics;
        this.transientDeadline = config.ledger().transientRetryDeadline();
        this.toCloud = new Slots(config.throttling().maxInFlight());
        Duration quarterWindow = config.ledger().window().dividedBy(4);
        this.submittedKeyMemory = quarterWindow.compareTo(SUBMITTED_KEY_MEMORY) < 0 ? quarterWindow : SUBMITTED_KEY_MEMORY;
    }

    private static Map<String, Instant> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                return size() > SETTLED_IDS;
            }
        };
    }

    /**
     * Completes when the record is admitted; its processing and acknowledgement continue in the background. The
     * record is judged as it is read: what it is decides which slots it waits for.
     */
    public Uni<Void> dispatch(Message<byte[]> message) {
        long bytes = message.getPayload() == null ? 0 : message.getPayload().length;
        return Uni.createFrom().completionStage(() -> payloadBytes.take(bytes))
                .chain(() -> judgeAndAdmit(message, bytes));
    }

    private Uni<Void> judgeAndAdmit(Message<byte[]> message, long bytes) {
        Instant readAt = clock.instant();
        InboundRecord.Judged judged = InboundRecord.Judged.of(message.getPayload(), readAt, decoder, validator);
        Place place = place(judged, message.getPayload());
        Lane lane = lane(place, readAt);
        Uni<CircuitBreaker.Admission> admitted = lane == Lane.IN_LINE
                ? admission()
                : Uni.createFrom().completionStage(answeredHere::take).replaceWith(CircuitBreaker.Admission.ADMITTED);
        return admitted.invoke(admission -> start(message, readAt, judged, place, lane, admission, bytes))
                .replaceWithVoid();
    }

    /** Where a record runs: at once, beside its instance's line, or in it. */
    enum Lane {
        /** Its request_id was seen settled: a repeat, answered with that outcome whatever its turn. */
        SETTLED_REPEAT,
        /** It never reaches the cloud (or is expected not to): it runs beside the records of its instance. */
        BESIDE_LINE,
        /** It may reach the cloud: it waits for the records of its instance before it. */
        IN_LINE
    }

    private synchronized Lane lane(Place place, Instant readAt) {
        if (place.requestId() != null && remembered(settledIds, place.requestId(), readAt, SETTLED_MEMORY)) {
            return Lane.SETTLED_REPEAT;
        }
        return place.neverReachesCloud(key -> remembered(submittedKeys, key, readAt, submittedKeyMemory))
                ? Lane.BESIDE_LINE
                : Lane.IN_LINE;
    }

    /**
     * Waits for a free slot to the cloud (woken by the record that frees it) and for the circuit to let a record
     * through (polled with a growing pause while it refuses).
     */
    private Uni<CircuitBreaker.Admission> admission() {
        return Uni.createFrom().<CircuitBreaker.Admission>deferred(() -> {
                    CompletableFuture<Void> full = toCloud.waiter();
                    if (full != null) {
                        return Uni.createFrom().completionStage(full).chain(this::admission);
                    }
                    CircuitBreaker.Admission admission = tryAdmit();
                    return admission == CircuitBreaker.Admission.REFUSED
                            ? Uni.createFrom().failure(new NotAdmitted())
                            : Uni.createFrom().item(admission);
                })
                .onFailure(NotAdmitted.class).retry().withBackOff(ADMISSION_POLL, MAX_ADMISSION_POLL).indefinitely();
    }

    private CircuitBreaker.Admission tryAdmit() {
        synchronized (toCloud) {
            if (toCloud.full()) {
                return CircuitBreaker.Admission.REFUSED;
            }
            CircuitBreaker.Admission admission = circuit.admit();
            if (admission != CircuitBreaker.Admission.REFUSED) {
                toCloud.takeOne();
            }
            return admission;
        }
    }

    private void start(Message<byte[]> message, Instant readAt, InboundRecord.Judged judged, Place place, Lane lane,
            CircuitBreaker.Admission admission, long bytes) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> previous;
        Line line = null;
        Group group = null;
        synchronized (this) {
            if (lane == Lane.SETTLED_REPEAT) {
                // A repeat of a settled request changes nothing and reaches nothing: it is answered at once.
                previous = CompletableFuture.completedFuture(null);
            } else if (lane == Lane.BESIDE_LINE) {
                line = lines.computeIfAbsent(place.key(), k -> new Line());
                line.pending++;
                if (line.group == null) {
                    line.group = new Group();
                }
                group = line.group;
                group.running++;
                previous = line.barrier;
            } else {
                line = lines.computeIfAbsent(place.key(), k -> new Line());
                line.pending++;
                previous = line.group == null ? line.barrier : CompletableFuture.allOf(line.barrier, line.group.done);
                line.barrier = mine;
                line.group = null;
            }
        }
        InboundRecord read = KafkaRecords.inbound(message, ownership).readAt(readAt, judged);
        InboundRecord inbound = lane == Lane.SETTLED_REPEAT ? read.asSeenSettled() : read;
        Slots slots = lane == Lane.IN_LINE ? toCloud : answeredHere;
        Line joinedLine = line;
        Group joined = group;
        previous.whenComplete((ignored, failure) -> process(message, inbound, place).subscribe().with(
                done -> finish(place.key(), joinedLine, joined, mine, slots, admission, bytes),
                error -> {
                    LOG.errorf("record %s could not be settled: %s", inbound.position(), error.toString());
                    finish(place.key(), joinedLine, joined, mine, slots, admission, bytes);
                }));
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
                        learn(place, answered.result());
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

    private synchronized void finish(String key, Line line, Group group, CompletableFuture<Void> mine, Slots slots,
            CircuitBreaker.Admission admission, long bytes) {
        if (admission == CircuitBreaker.Admission.PROBE) {
            circuit.probeEnded();
        }
        slots.release();
        payloadBytes.release(bytes);
        if (group != null && --group.running == 0) {
            if (line.group == group) {
                line.group = null;
            }
            group.done.complete(null);
        }
        if (line != null && --line.pending == 0) {
            lines.remove(key);
        }
        mine.complete(null);
    }

    /** What a record's answer tells of the requests and restores that may come again. */
    private synchronized void learn(Place place, RestoreResult result) {
        Instant now = clock.instant();
        // Answered under its own id, and not as a duplicate (whose original might still be unclaimed).
        if (place.requestId() != null && place.requestId().equals(result.requestId())
                && result.status() != ResultStatus.DUPLICATE) {
            settledIds.put(place.requestId(), now);
        }
        if (place.businessKey() != null) {
            if (result.status() == ResultStatus.SUBMITTED || result.status() == ResultStatus.DUPLICATE
                    && holdsItsRestore(result.originalStatus())) {
                submittedKeys.put(place.businessKey(), now);
            } else {
                submittedKeys.remove(place.businessKey());
            }
        }
    }

    /** Statuses of an original whose restore holds its business key: a new request for it is its duplicate. */
    private static boolean holdsItsRestore(ResultStatus original) {
        return original == ResultStatus.SUBMITTED || original == ResultStatus.RUNNING
                || original == ResultStatus.COMPLETED || original == ResultStatus.UNKNOWN;
    }

    private static boolean remembered(Map<String, Instant> memory, String key, Instant now, Duration howLong) {
        Instant at = memory.get(key);
        return at != null && now.isBefore(at.plus(howLong));
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
    static Place place(InboundRecord.Judged judged, byte[] value) {
        if (judged.instanceId() != null) {
            boolean rejected = judged.check() instanceof RequestCheck.Invalid;
            String businessKey = judged.check() instanceof RequestCheck.Valid valid && !valid.request().dryRun()
                    ? judged.businessKey()
                    : null;
            return new Place("instance:" + judged.instanceId(), rejected,
                    RequestIds.wellFormed(judged.requestId()) ? judged.requestId() : null, businessKey);
        }
        return new Place("unordered:" + System.identityHashCode(value), false, null, null);
    }

    private static final class NotAdmitted extends RuntimeException {
        NotAdmitted() {
            super(null, null, false, false);
        }
    }
}
