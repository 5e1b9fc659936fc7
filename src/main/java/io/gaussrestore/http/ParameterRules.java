package io.gaussrestore.http;

import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.request.RequestIds;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The HTTP API's parameters read as its callers send them: text, checked here, so that a value that cannot be
 * read (a number out of range or not a number, an unknown status, an over-long value, a control character) is a
 * 400 that names the parameter and what it takes, never the framework's empty 404.
 */
final class ParameterRules {

    /** The longest value any parameter takes (a request_id is at most 128 characters). */
    static final int MAX_TEXT = 128;

    private ParameterRules() {}

    /** A parameter read, or the reason it cannot be. */
    record Read<T>(T value, String problem) {
        static <T> Read<T> ok(T value) {
            return new Read<>(value, null);
        }

        static <T> Read<T> bad(String problem) {
            return new Read<>(null, problem);
        }

        boolean ok() {
            return problem == null;
        }
    }

    /** A whole number from {@code min} to {@code max}; absent or blank: {@code fallback}. */
    static Read<Integer> whole(String name, String text, int min, int max, int fallback) {
        if (text == null || text.isBlank()) {
            return Read.ok(fallback);
        }
        String trimmed = text.strip();
        if (!trimmed.matches("[+-]?[0-9]{1,10}")) {
            return Read.bad(name + " must be a whole number from " + min + " to " + max + ", not '" + shown(text) + "'");
        }
        long value = Long.parseLong(trimmed);
        if (value < min || value > max) {
            return Read.bad(name + " must be between " + min + " and " + max + ", not " + value);
        }
        return Read.ok((int) value);
    }

    /** A request status by name, any case; absent or blank: none. */
    static Read<Optional<LedgerState>> status(String text) {
        if (text == null || text.isBlank()) {
            return Read.ok(Optional.empty());
        }
        try {
            return Read.ok(Optional.of(LedgerState.valueOf(text.strip().toUpperCase(Locale.ROOT))));
        } catch (IllegalArgumentException e) {
            return Read.bad("status must be one of " + List.of(LedgerState.values()) + ", not '" + shown(text) + "'");
        }
    }

    /** An optional filter of plain text: at most {@link #MAX_TEXT} characters, no control character. */
    static Read<Optional<String>> filter(String name, String text) {
        if (text == null || text.isBlank()) {
            return Read.ok(Optional.empty());
        }
        Optional<String> problem = plainText(name, text);
        return problem.isPresent() ? Read.bad(problem.get()) : Read.ok(Optional.of(text.strip()));
    }

    /** A request_id in a path: the shape every request_id has. */
    static Read<String> requestId(String text) {
        if (RequestIds.wellFormed(text)) {
            return Read.ok(text);
        }
        return Read.bad(plainText("request_id", text == null ? "" : text)
                .orElse("request_id must be 1 to 128 letters, digits, '.', '_', ':' or '-', not '" + shown(text) + "'"));
    }

    private static Optional<String> plainText(String name, String text) {
        if (text.length() > MAX_TEXT) {
            return Optional.of(name + " is " + text.length() + " characters long; at most " + MAX_TEXT + " are taken");
        }
        if (text.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(name + " holds a control character");
        }
        return Optional.empty();
    }

    /** A value as it may be echoed in an error: bounded, and control characters shown as '?'. */
    private static String shown(String text) {
        if (text == null) {
            return "";
        }
        String bounded = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return bounded.chars().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
