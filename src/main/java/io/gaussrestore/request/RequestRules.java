package io.gaussrestore.request;

import java.time.Duration;

/**
 * The configurable limits of the request contract.
 *
 * @param maxTables largest number of tables over all databases
 * @param retention oldest restore_time accepted, counted back from now
 * @param clockSkew how far in the future a restore_time may lie
 */
public record RequestRules(int maxTables, Duration retention, Duration clockSkew) {

    public static final RequestRules DEFAULTS = new RequestRules(2000, Duration.ofDays(732), Duration.ofSeconds(60));
}
