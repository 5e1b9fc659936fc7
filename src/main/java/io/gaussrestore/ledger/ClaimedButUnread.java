package io.gaussrestore.ledger;

/**
 * A claim may have been won under a new lease token, but its outcome is not known: the claiming write's answer was
 * lost (the database may have committed it), or the row could not be read back after it. The token is known, so
 * the caller can resume its own work under it instead of mistaking the row for another worker's.
 */
public final class ClaimedButUnread extends LedgerException {

    private final String requestId;
    private final String leaseToken;

    ClaimedButUnread(String requestId, String leaseToken, LedgerException cause) {
        super("request " + requestId + " may have been claimed, but the ledger did not say: " + cause.getMessage(), cause,
                true);
        this.requestId = requestId;
        this.leaseToken = leaseToken;
    }

    public String requestId() {
        return requestId;
    }

    public String leaseToken() {
        return leaseToken;
    }
}
