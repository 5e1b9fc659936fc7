package io.gaussrestore.submission;

import io.gaussrestore.gaussdb.ErrorClass;
import java.time.Instant;

/** How submitting one restore to the cloud ended. */
public sealed interface Submission {

    int attempts();

    /** The cloud accepted the restore and started a job. */
    record Accepted(String jobId, int attempts, Instant submittedAt) implements Submission {}

    /**
     * The cloud refused, or errors outlasted the retry budget.
     *
     * @param httpStatus null when there was no answer
     */
    record Refused(String errorCode, String message, Integer httpStatus, ErrorClass errorClass, int attempts)
            implements Submission {}

    /** The POST may have started a job but no answer proves it; never resubmitted blindly. */
    record Unknown(String message, int attempts) implements Submission {}

    /** The instance is busy with an operation that is not ours to follow: the request waits for it. */
    record Busy(String reason, int attempts) implements Submission {}

    /**
     * The submission stopped before a POST because the request is no longer this worker's (its lease or its
     * record's partition went elsewhere); every POST it made is known to have started nothing.
     */
    record Stopped(int attempts) implements Submission {}
}
