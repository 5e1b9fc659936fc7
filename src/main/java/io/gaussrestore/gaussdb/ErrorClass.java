package io.gaussrestore.gaussdb;

/** What a failed call means for the caller. */
public enum ErrorClass {
    /** Sending the same again cannot succeed: report it. */
    PERMANENT,
    /** The call certainly started nothing and may be repeated after a pause. */
    RETRY_SAFE,
    /** A restore POST may have started a job: never resubmit blindly. */
    AMBIGUOUS,
    /** The instance is busy with another operation: wait until it is ACTIVE, then retry. */
    WAIT_FOR_INSTANCE,
    /** The credentials were refused: renew them once and retry once. */
    REFRESH_AUTH;

    /** Whether the same request might succeed later (the result's {@code error.retryable}). */
    public boolean retryable() {
        return this != PERMANENT;
    }
}
