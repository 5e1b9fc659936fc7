package io.gaussrestore.messaging;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.pipeline.RestorePipeline;
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
    private final int maxInFlight;
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();
    private int inFlight;

    public RequestDispatcher(RestorePipeline pipeline, RecordDecoder decoder, CircuitBreaker circuit,
            RestoreConfig config) {
        this.pipeline = pipeline;
        this.decoder = decoder;
        this.circuit = circuit;
        this.maxInFlight = config.throttling().maxInFlight();
    }

    /** Completes when the record is admitted; its processing and acknowledgement continue in the background. */
    public Uni<Void> dispatch(Message<byte[]> message) {
        return admission().invoke(() -> start(message));
    }

    private Uni<Void> admission() {
        return Uni.createFrom().<Void>deferred(() -> tryAdmit()
                        ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new NotAdmitted()))
                .onFailure(NotAdmitted.class).retry().withBackOff(ADMISSION_POLL, MAX_ADMISSION_POLL).indefinitely();
    }

    private synchronized boolean tryAdmit() {
        if (inFlight >= maxInFlight || !circuit.admitsNewRequest()) {
            return false;
        }
        inFlight++;
        return true;
    }

    private void start(Message<byte[]> message) {
        String key = orderingKey(message.getPayload());
        CompletableFuture<Void> previous;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        synchronized (this) {
            previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
            tails.put(key, mine);
        }
        previous.whenComplete((ignored, failure) -> process(message).subscribe().with(
                done -> finish(key, mine),
                error -> finish(key, mine)));
    }

    /** Processes until the record is settled; an unexpected failure (the ledger down) is retried, never dropped. */
    private Uni<Void> process(Message<byte[]> message) {
        return Uni.createFrom().deferred(() -> pipeline.process(KafkaRecords.inbound(message)))
                .chain(disposition -> KafkaRecords.settle(message, disposition))
                .onFailure().invoke(e -> LOG.errorf("processing %s failed, trying again in %s: %s",
                        KafkaRecords.inbound(message).position(), REPROCESS_AFTER, e.toString()))
                .onFailure().retry().withBackOff(REPROCESS_AFTER, Duration.ofMinutes(1)).indefinitely();
    }

    private synchronized void finish(String key, CompletableFuture<Void> mine) {
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
