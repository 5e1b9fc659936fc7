package io.gaussrestore.ledger;

/** The ledger's store failed; the request is not acknowledged and will be processed again. */
public class LedgerException extends RuntimeException {

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
