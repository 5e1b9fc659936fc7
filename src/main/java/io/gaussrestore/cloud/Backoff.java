package io.gaussrestore.cloud;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter, honouring a Retry-After up to the cap. Pure but for the random source. */
public final class Backoff {

    private Backoff() {}

    /**
     * The wait before the next attempt.
     *
     * @param failedAttempts attempts made so far (1 after the first failure)
     * @param retryAfterSeconds the server's Retry-After in seconds, if it sent one
     */
    public static Duration delay(int failedAttempts, Duration initial, Duration cap, OptionalLong retryAfterSeconds,
            RandomGenerator random) {
        long capMillis = cap.toMillis();
        int exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
        long ceiling = Math.min(capMillis, initial.toMillis() << exponent);
        long jittered = ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
        long floor = retryAfterSeconds.isPresent() ? Math.min(capMillis, retryAfterSeconds.getAsLong() * 1000) : 0;
        return Duration.ofMillis(Math.max(jittered, floor));
    }

    /** Reads a Retry-After header given in seconds; dates and garbage give empty. */
    public static OptionalLong retryAfterSeconds(String header) {
        if (header == null || !header.trim().matches("[0-9]{1,9}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(header.trim()));
    }
}
