package io.gaussrestore.ledger;

import java.time.Instant;
import java.util.List;

/**
 * What to look for among the requests the ledger holds; every filter is optional (null) and they all apply.
 *
 * @param requestIdPrefix the start of the request_id (an exact id is its own prefix)
 * @param states any of these states; empty: all
 * @param from received at or after
 * @param until received before
 */
public record LedgerSearch(String requestIdPrefix, String instanceId, String projectId, List<LedgerState> states,
        String requestedBy, Instant from, Instant until) {

    public LedgerSearch {
        states = states == null ? List.of() : List.copyOf(states);
    }

    /** Every request. */
    public static LedgerSearch all() {
        return new LedgerSearch(null, null, null, List.of(), null, null, null);
    }
}
