package io.gaussrestore.pipeline;

import io.gaussrestore.ledger.IdempotencyLedger;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The claims this process holds while it submits, and whether each has sent anything yet. On a graceful stop
 * every claim that has sent nothing (asleep in a backoff or a rate wait) is given back at once, before the
 * process exits: a request of a Kafka record goes back to RECEIVED for the record's next owner, one taken from
 * its instance's line goes back to its place. Its next owner sends it at once instead of waiting out a lease
 * and answering UNKNOWN. A claim that has sent a POST is never given back: what that POST did must be learnt.
 */
@ApplicationScoped
public class HeldClaims {

    private static final Logger LOG = Logger.getLogger(HeldClaims.class);

    /** OPEN: nothing sent yet; SENDING: a POST left; GIVEN_BACK: the stop gave it back; WITHDRAWN: the stop refused it. */
    enum State { OPEN, SENDING, GIVEN_BACK, WITHDRAWN }

    /** One claim held: its request, its lease, whether it came from the instance's line, and its state. */
    public static final class Held {
        final String requestId;
        final String leaseToken;
        final boolean fromLine;
        private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

        Held(String requestId, String leaseToken, boolean fromLine) {
            this.requestId = requestId;
            this.leaseToken = leaseToken;
            this.fromLine = fromLine;
        }

        /** Whether the stop gave the claim back already (nothing of it is left to do). */
        boolean givenBack() {
            return state.get() == State.GIVEN_BACK;
        }

        /** Whether the stop withdrew its POST before it left (the claim is still to be given back). */
        boolean withdrawn() {
            return state.get() == State.WITHDRAWN;
        }
    }

    private final IdempotencyLedger ledger;
    private final Clock clock;
    private final Map<Held, Boolean> held = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public HeldClaims(IdempotencyLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Notes a claim taken to be submitted; {@link #drop} it when its submission ends. */
    public Held hold(String requestId, String leaseToken, boolean fromLine) {
        Held claim = new Held(requestId, leaseToken, fromLine);
        held.put(claim, Boolean.TRUE);
        return claim;
    }

    public void drop(Held claim) {
        held.remove(claim);
    }

    /** Whether the process is stopping: claims are then given back, not taken further. */
    public boolean stopping() {
        return stopping;
    }

    /**
     * Asked just before a POST of the claim leaves: true once it may (and from then on), false when the process is
     * stopping and nothing was sent yet (the claim is then withdrawn, for its submission to give back).
     */
    public boolean mayPost(Held claim) {
        while (true) {
            State now = claim.state.get();
            if (now == State.SENDING) {
                return true;
            }
            if (now != State.OPEN) {
                return false;
            }
            State next = stopping ? State.WITHDRAWN : State.SENDING;
            if (claim.state.compareAndSet(State.OPEN, next)) {
                return next == State.SENDING;
            }
        }
    }

    /** Gives back, in the ledger, a claim that sent nothing; false when its lease had gone already. */
    public boolean giveBack(Held claim) {
        return claim.fromLine
                ? ledger.backInLine(claim.requestId, claim.leaseToken, clock.instant())
                : ledger.relinquish(claim.requestId, claim.leaseToken, clock.instant());
    }

    /** Early in a graceful stop, before the consumer and the ledger close. */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
        int given = 0;
        int sending = 0;
        for (Held claim : held.keySet()) {
            if (claim.state.compareAndSet(State.OPEN, State.GIVEN_BACK)) {
                try {
                    if (giveBack(claim)) {
                        given++;
                        LOG.infof("request %s: the service is stopping; nothing was sent, so it is given back for its "
                                + "next owner", claim.requestId);
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("could not give back the claim of request %s at shutdown (its lease will lapse): %s",
                            claim.requestId, e.getMessage());
                }
            } else if (claim.state.get() == State.SENDING) {
                sending++;
            }
        }
        LOG.infof("stopping: %d claim(s) that had sent nothing given back for their next owner; %d with a POST "
                + "sent are left to finish or to their lease", given, sending);
    }
}
