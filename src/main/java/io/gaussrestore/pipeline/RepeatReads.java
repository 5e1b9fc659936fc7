package io.gaussrestore.pipeline;

import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one memory of repeats besides the ledger: settled requests read from the ledger to answer a repeat, and
 * when. Further repeats within {@link #REPEAT_MEMORY} are answered from here, so a storm of one replayed request
 * reads the ledger about once a second, not once a record. Bounded; the eldest are forgotten.
 */
@ApplicationScoped
public class RepeatReads {

    /** How old the outcome a repeat is answered with may be. */
    static final Duration REPEAT_MEMORY = Duration.ofSeconds(1);
    private static final int SIZE = 10_000;

    private record Read(LedgerEntry entry, Instant at) {}

    private final Clock clock;
    private final Map<String, Read> reads = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
            return size() > SIZE;
        }
    });

    public RepeatReads(Clock clock) {
        this.clock = clock;
    }

    /** A repeat of a request read lately, answered without the ledger; empty when it must be claimed. */
    Optional<Claim> remembered(String requestId, String source) {
        Read read = reads.get(requestId);
        if (read != null && clock.instant().isBefore(read.at().plus(REPEAT_MEMORY))
                && !source.equals(read.entry().source())) {
            return Optional.of(new Claim.Repeated(read.entry()));
        }
        return Optional.empty();
    }

    /**
     * Claims a request. One the dispatcher saw settled lately is looked up first: a repeat is then answered after
     * one read (kept for the next repeats for a second), instead of after an insert refused as a duplicate key and
     * a read. Anything else (not found, still unclaimed, or this very record again) goes to the claim, which
     * decides as always.
     */
    Claim claim(IdempotencyLedger ledger, NewRequest arriving, boolean seenSettled) {
        if (seenSettled) {
            Instant readAt = clock.instant();
            Optional<LedgerEntry> known = ledger.find(arriving.requestId());
            if (known.isPresent() && known.get().state() != LedgerState.RECEIVED) {
                reads.put(arriving.requestId(), new Read(known.get(), readAt));
                if (!arriving.source().equals(known.get().source())) {
                    return new Claim.Repeated(known.get());
                }
            }
        }
        return ledger.claim(arriving, clock.instant());
    }
}
