package io.gaussrestore.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns the error codes found in cloud answers into metric labels of bounded cardinality: a code must look like one
 * (`DBS.200823`, `APIGW.0308`, `HTTP.502`, `AUTH.CREDENTIALS_REFUSED`), and after a fixed number of distinct codes
 * every new one is counted as {@code other}. A body full of free text can never create a series per answer.
 */
final class ErrorCodeLabels {

    /** Distinct error codes kept as labels; enough for every code in the API reference. */
    static final int MAX_LABELS = 300;
    static final String OTHER = "other";

    private static final Pattern CODE = Pattern.compile("[A-Z][A-Za-z0-9]{0,15}\\.[A-Za-z0-9_]{1,32}");

    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    ErrorCodeLabels(int max) {
        this.max = max;
    }

    String label(String errorCode) {
        if (errorCode == null || errorCode.isEmpty()) {
            return "";
        }
        if (!CODE.matcher(errorCode).matches()) {
            return OTHER;
        }
        if (seen.contains(errorCode)) {
            return errorCode;
        }
        synchronized (seen) {
            if (seen.size() >= max) {
                return OTHER;
            }
            seen.add(errorCode);
            return errorCode;
        }
    }
}
