package io.gaussrestore.request;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounds what an invalid request carries into the ledger and its REJECTED result: a field longer than its
 * column is cut and says so, control characters become U+FFFD, and the violations listed are capped with a
 * count of the rest. Pure.
 */
public final class Bounded {

    /** Violations listed in one REJECTED result; the rest are counted in a last entry. */
    public static final int MAX_VIOLATIONS = 100;

    private Bounded() {}

    /** The text within {@code maxChars}; a cut one ends with a marker naming its original length. */
    public static String text(String value, int maxChars) {
        if (value == null) {
            return null;
        }
        StringBuilder clean = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> clean.appendCodePoint(Character.isISOControl(cp) ? 0xFFFD : cp));
        if (clean.length() <= maxChars) {
            return clean.toString();
        }
        String marker = "...[truncated from " + value.length() + " characters]";
        int end = Math.max(0, maxChars - marker.length());
        if (end > 0 && Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end) + marker;
    }

    /** At most {@link #MAX_VIOLATIONS} entries, the last one counting those left out. */
    public static List<Violation> violations(List<Violation> all) {
        if (all.size() <= MAX_VIOLATIONS) {
            return all;
        }
        List<Violation> listed = new ArrayList<>(all.subList(0, MAX_VIOLATIONS - 1));
        listed.add(new Violation("$", (all.size() - listed.size()) + " more violations are not listed; "
                + all.size() + " in all."));
        return listed;
    }
}
