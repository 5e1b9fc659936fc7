package io.gaussrestore.ledger;

/** Where a request stands in its life; RECEIVED and SUBMITTING exist only inside the service. */
public enum LedgerState {
    RECEIVED, QUEUED, SUBMITTING, SUBMITTED, RUNNING, COMPLETED, FAILED, REJECTED, DUPLICATE, UNKNOWN, CANCELLED,
    /** A dry run: every check ran, nothing was claimed or sent. */
    DRY_RUN;

    /** States in which the request holds its business key: a new request for the same restore is a duplicate. */
    public boolean holdsBusinessKey() {
        return this == SUBMITTING || this == SUBMITTED || this == RUNNING || this == COMPLETED || this == UNKNOWN
                || this == RECEIVED || this == QUEUED;
    }

    /** States in which the request occupies its instance: a new request for the instance waits behind it. */
    public boolean occupiesInstance() {
        return this == QUEUED || this == SUBMITTING || this == SUBMITTED || this == RUNNING;
    }
}
