package io.gaussrestore.ledger;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** The ledger's store failed; {@link #isTransient()} says whether the same call may succeed later. */
public class LedgerException extends RuntimeException {

    private final boolean transientFailure;

    public LedgerException(String message, Throwable cause) {
        this(message, cause, transientCause(cause));
    }

    public LedgerException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** The store is unreachable, overloaded or in a conflict: the same call may succeed later. */
    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * Connection trouble (SQLState class 08), a transaction rolled back for a conflict (40), resources short (53),
     * an operator stopping the server (57) or a pool that gave no connection in time: transient. Data and
     * constraint errors (22, 23) and the rest would fail again the same way.
     */
    static boolean transientCause(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state == null) {
                    String message = String.valueOf(sql.getMessage()).toLowerCase(java.util.Locale.ROOT);
                    return message.contains("acquisition timeout") || message.contains("connection");
                }
                return state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                        || state.startsWith("57") || state.equals("90067") || state.equals("90098");
            }
        }
        return false;
    }
}
