package io.gaussrestore.request;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The configurable limits of the request contract.
 *
 * @param maxTables largest number of tables over all databases
 * @param retention oldest restore_time accepted, counted back from now
 * @param clockSkew how far in the future a restore_time may lie
 */
public record RequestRules(int maxTables, Duration retention, Duration clockSkew) {

    public static final RequestRules DEFAULTS = new RequestRules(2000, Duration.ofDays(732), Duration.ofSeconds(60));

    /**
     * Why a record written at {@code writtenAt} and read at {@code readAt} is not handled, whatever it asks: it is
     * older than the de-duplication window, so it may replay a request already handled and forgotten. Empty when
     * it is younger, or when its time is unknown.
     */
    public static Optional<String> expiry(Instant writtenAt, Instant readAt, Duration window) {
        if (writtenAt == null || !writtenAt.isBefore(readAt.minus(window))) {
            return Optional.empty();
        }
        return Optional.of("the record was written at " + writtenAt + ", longer ago than the de-duplication window of "
                + window + ": it may be a replay of a request already handled, so it is not sent; send a new request "
                + "if the restore is still wanted");
    }
}
