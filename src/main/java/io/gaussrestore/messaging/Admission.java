package io.gaussrestore.messaging;

import io.gaussrestore.throttling.CircuitBreaker;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The dispatcher's admission slots. A record that may reach the cloud is taken only when fewer than the configured
 * number of such records are in flight and the circuit to the cloud is not open; one expected to be answered
 * without the cloud waits only for one of its own few slots, so a storm of them neither waits for the cloud's slots
 * nor fills them. Whatever their lane, records are read only while their bytes fit in {@link #PAYLOAD_BYTES_IN_FLIGHT}.
 */
final class Admission {

    private static final Duration ADMISSION_POLL = Duration.ofMillis(50);
    private static final Duration MAX_ADMISSION_POLL = Duration.ofMillis(250);
    static final int ANSWERED_HERE_IN_FLIGHT = 32;
    /**
     * Bytes of records in flight at once: a record is read only when its bytes fit (one larger than the whole budget
     * goes alone), so that records near the size limit cannot together outgrow the heap.
     */
    static final long PAYLOAD_BYTES_IN_FLIGHT = 4L * 1024 * 1024;

    /** What a record holds while it is in flight, given back by {@link #leave}. */
    record Pass(boolean toCloud, CircuitBreaker.Admission circuit, long bytes) {}

    private final CircuitBreaker circuit;
    private final Slots toCloud;
    private final Slots answeredHere = new Slots(ANSWERED_HERE_IN_FLIGHT);
    private final Slots payloadBytes = new Slots(PAYLOAD_BYTES_IN_FLIGHT);

    Admission(CircuitBreaker circuit, int maxInFlight) {
        this.circuit = circuit;
        this.toCloud = new Slots(maxInFlight);
    }

    /** Completes when the record's bytes fit beside those in flight. */
    Uni<Void> bytes(long bytes) {
        return Uni.createFrom().completionStage(() -> payloadBytes.take(bytes));
    }

    /** Completes when the record may start in its lane; its bytes were taken by {@link #bytes}. */
    Uni<Pass> enter(boolean mayReachCloud, long bytes) {
        return mayReachCloud
                ? toCloud().map(admission -> new Pass(true, admission, bytes))
                : Uni.createFrom().completionStage(answeredHere::take)
                        .replaceWith(new Pass(false, CircuitBreaker.Admission.ADMITTED, bytes));
    }

    /** Gives back what the record held. */
    void leave(Pass pass) {
        if (pass.circuit() == CircuitBreaker.Admission.PROBE) {
            circuit.probeEnded();
        }
        (pass.toCloud() ? toCloud : answeredHere).release();
        payloadBytes.release(pass.bytes());
    }

    /**
     * Waits for a free slot to the cloud (woken by the record that frees it) and for the circuit to let a record
     * through (polled with a growing pause while it refuses).
     */
    private Uni<CircuitBreaker.Admission> toCloud() {
        return Uni.createFrom().<CircuitBreaker.Admission>deferred(() -> {
                    CompletableFuture<Void> full = toCloud.waiter();
                    if (full != null) {
                        return Uni.createFrom().completionStage(full).chain(this::toCloud);
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

    private static final class NotAdmitted extends RuntimeException {
        NotAdmitted() {
            super(null, null, false, false);
        }
    }
}
