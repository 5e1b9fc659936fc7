package io.gaussrestore.ledger;

/** Where a request stands in its life; RECEIVED and SUBMITTING exist only inside the service. */
public enum LedgerState {
    RECEIVED, SUBMITTING, SUBMITTED, RUNNING, COMPLETED, FAILED, REJECTED, DUPLICATE, UNKNOWN;

    /** States in which the request holds its business key: a new request for the same restore is a duplicate. */
    public boolean holdsBusinessKey() {
        return this == SUBMITTING || this == SUBMITTED || this == RUNNING || this == COMPLETED || this == UNKNOWN
                || this == RECEIVED;
    }
}
