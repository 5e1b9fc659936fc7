package io.gaussrestore.throttling;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the limit the API gateway states in its 429 message ({@code policy user over ratelimit,limit:60,time:1
 * minute}); the only place the real limit is published. Pure.
 */
public final class GatewayLimit {

    private static final Pattern LIMIT = Pattern.compile("limit:\\s*(\\d+)\\s*,\\s*time:\\s*(\\d+)\\s*(second|minute|hour)",
            Pattern.CASE_INSENSITIVE);

    private GatewayLimit() {}

    /** A stated limit: so many calls per window. */
    public record Stated(double perMinute, java.time.Duration window) {}

    /** The stated limit in calls per minute, if the message states one. */
    public static OptionalDouble perMinute(String message) {
        return stated(message).map(s -> OptionalDouble.of(s.perMinute())).orElse(OptionalDouble.empty());
    }

    /** The stated limit and its window, if the message states them. */
    public static java.util.Optional<Stated> stated(String message) {
        if (message == null) {
            return java.util.Optional.empty();
        }
        Matcher matcher = LIMIT.matcher(message);
        if (!matcher.find()) {
            return java.util.Optional.empty();
        }
        double calls = Double.parseDouble(matcher.group(1));
        double amount = Double.parseDouble(matcher.group(2));
        double minutes = switch (matcher.group(3).toLowerCase(Locale.ROOT)) {
            case "second" -> amount / 60;
            case "hour" -> amount * 60;
            default -> amount;
        };
        return calls > 0 && minutes > 0
                ? java.util.Optional.of(new Stated(calls / minutes, java.time.Duration.ofMillis((long) (minutes * 60_000))))
                : java.util.Optional.empty();
    }
}
