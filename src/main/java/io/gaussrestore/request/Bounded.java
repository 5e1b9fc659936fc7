package io.gaussrestore.request;

/**
 * Bounds what an invalid request carries into the ledger and its REJECTED result: a field longer than its
 * column is cut and says so, control characters become U+FFFD, and a verdict lists at most
 * {@link #MAX_VIOLATIONS} violations. Pure.
 */
public final class Bounded {

    /** Violations listed in one REJECTED result; the rest are counted in a last entry. */
    public static final int MAX_VIOLATIONS = 100;

    private Bounded() {}

    /**
     * The text cleaned of control characters (NUL among them, which PostgreSQL refuses) and cut to {@code maxChars}
     * without a marker: for short fields such as a job's status or progress, where a marker would not fit.
     */
    public static String cut(String value, int maxChars) {
        if (value == null) {
            return null;
        }
        String clean = text(value, Integer.MAX_VALUE);
        if (clean.length() <= maxChars) {
            return clean;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end);
    }

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
}
