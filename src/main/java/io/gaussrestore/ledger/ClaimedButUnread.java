package io.gaussrestore.ledger;

/**
 * A claim was won (the row is SUBMITTING under a new lease token) but reading it back failed. The lease token is
 * known, so the caller can resume its own work under it instead of mistaking the row for another worker's.
 */
public final class ClaimedButUnread extends LedgerException {

    private final String requestId;
    private final String leaseToken;

    ClaimedButUnread(String requestId, String leaseToken, LedgerException cause) {
        super("request " + requestId + " was claimed but could not be read back", cause, true);
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
