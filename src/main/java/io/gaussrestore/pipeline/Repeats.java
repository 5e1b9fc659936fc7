package io.gaussrestore.pipeline;

import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one memory of repeats besides the ledger, bounded (the eldest are forgotten, and then the ledger answers as
 * always). It holds three things, each only a hint the ledger has the last word on:
 * <ul>
 *   <li>request_ids this process saw settled in the last hour: a record repeating one changes nothing and never
 *   reaches the cloud, so it need not wait in its instance's line, and the ledger is read before a claim is tried;
 *   <li>what such a read found, for {@link #REPEAT_MEMORY}: further repeats are answered from it, so a storm of
 *   one replayed request reads the ledger about once a second, not once a record;
 *   <li>business keys held by a started job in the last few seconds (a request answered SUBMITTED, or a duplicate
 *   of one that holds its restore): a new request_id for that restore is a DUPLICATE and never reaches the cloud,
 *   so it too need not wait in line. A storm keeps this fresh with its own answers.
 * </ul>
 */
@ApplicationScoped
public class Repeats {

    /** How old the outcome a repeat is answered with may be. */
    static final Duration REPEAT_MEMORY = Duration.ofSeconds(1);
    /** How long a request_id seen settled counts as such (the ledger keeps it for the window, days). */
    static final Duration SETTLED_MEMORY = Duration.ofHours(1);
    private static final Duration HELD_KEY_MEMORY = Duration.ofSeconds(10);
    private static final int SIZE = 50_000;

    /** When a request_id was seen settled, or a business key held; and the last read of a settled request. */
    private record Memo(Instant at, LedgerEntry read, Instant readAt) {}

    private final Clock clock;
    private final Duration heldKeyMemory;
    private final Map<String, Memo> memos = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Memo> eldest) {
            return size() > SIZE;
        }
    };

    public Repeats(Clock clock, io.gaussrestore.config.RestoreConfig config) {
        this.clock = clock;
        Duration quarterWindow = config.ledger().window().dividedBy(4);
        this.heldKeyMemory = quarterWindow.compareTo(HELD_KEY_MEMORY) < 0 ? quarterWindow : HELD_KEY_MEMORY;
    }

    private static String id(String requestId) {
        return "id:" + requestId;
    }

    private static String key(String businessKey) {
        return "key:" + businessKey;
    }

    /** Whether this request_id was seen settled lately: most likely a repeat. */
    public synchronized boolean settledLately(String requestId, Instant now) {
        Memo memo = memos.get(id(requestId));
        return memo != null && now.isBefore(memo.at().plus(SETTLED_MEMORY));
    }

    /** Whether this restore was seen held by a started job lately: a new request for it is most likely a DUPLICATE. */
    public synchronized boolean heldLately(String businessKey, Instant now) {
        Memo memo = memos.get(key(businessKey));
        return memo != null && now.isBefore(memo.at().plus(heldKeyMemory));
    }

    /** What a record's answer tells of the requests and restores that may come again. */
    public synchronized void learn(String requestId, String businessKey, RestoreResult result) {
        Instant now = clock.instant();
        // Answered under its own id, and not as a duplicate (whose original might still be unclaimed).
        if (requestId != null && requestId.equals(result.requestId()) && result.status() != ResultStatus.DUPLICATE) {
            Memo known = memos.get(id(requestId));
            memos.put(id(requestId), new Memo(now, known == null ? null : known.read(),
                    known == null ? null : known.readAt()));
        }
        if (businessKey != null) {
            if (result.status() == ResultStatus.SUBMITTED || result.status() == ResultStatus.DUPLICATE
                    && holdsItsRestore(result.originalStatus())) {
                memos.put(key(businessKey), new Memo(now, null, null));
            } else {
                memos.remove(key(businessKey));
            }
        }
    }

    /** Statuses of an original whose restore holds its business key: a new request for it is its duplicate. */
    private static boolean holdsItsRestore(ResultStatus original) {
        return original == ResultStatus.SUBMITTED || original == ResultStatus.RUNNING
                || original == ResultStatus.COMPLETED || original == ResultStatus.UNKNOWN;
    }

    /** A repeat of a request read lately, answered without the ledger; empty when it must be claimed. */
    synchronized Optional<Claim> remembered(String requestId, String source) {
        Memo memo = memos.get(id(requestId));
        if (memo != null && memo.read() != null && clock.instant().isBefore(memo.readAt().plus(REPEAT_MEMORY))
                && !source.equals(memo.read().source())) {
            return Optional.of(new Claim.Repeated(memo.read()));
        }
        return Optional.empty();
    }

    private synchronized void noteRead(String requestId, LedgerEntry entry, Instant readAt) {
        Memo memo = memos.get(id(requestId));
        memos.put(id(requestId), new Memo(memo == null ? readAt : memo.at(), entry, readAt));
    }

    /**
     * Claims a request. One seen settled lately is looked up first: a repeat is then answered after one read (kept
     * for the next repeats for a second), instead of after an insert refused as a duplicate key and a read.
     * Anything else (not found, still unclaimed, or this very record again) goes to the claim, which decides as
     * always.
     */
    Claim claim(IdempotencyLedger ledger, NewRequest arriving, boolean seenSettled) {
        if (seenSettled) {
            Instant readAt = clock.instant();
            Optional<LedgerEntry> known = ledger.find(arriving.requestId());
            if (known.isPresent() && known.get().state() != LedgerState.RECEIVED) {
                noteRead(arriving.requestId(), known.get(), readAt);
                if (!arriving.source().equals(known.get().source())) {
                    return new Claim.Repeated(known.get());
                }
            }
        }
        return ledger.claim(arriving, clock.instant());
    }
}
