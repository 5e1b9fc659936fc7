package io.gaussrestore.gaussdb;

import com.fasterxml.jackson.databind.JsonNode;
import io.gaussrestore.cloud.ApiResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The restorable windows of an instance, as ShowGaussMySqlRestoreTime answers them. */
public final class RestoreWindows {

    /** Error codes meaning the restore time has no backup: the time lies outside every window. */
    public static final Set<String> OUTSIDE_WINDOW = Set.of("DBS.201203", "DBS.280214");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LISTED = 20;

    private RestoreWindows() {}

    /** One window, both ends included. */
    public record Window(Instant start, Instant end) {
        public boolean contains(long millis) {
            return !Instant.ofEpochMilli(millis).isBefore(start) && !Instant.ofEpochMilli(millis).isAfter(end);
        }
    }

    /** The windows a ShowGaussMySqlRestoreTime answer holds; empty when it failed or is not of that shape. */
    public static Optional<List<Window>> from(ApiResult result) {
        return result instanceof ApiResult.Success success ? parse(success.body()) : Optional.empty();
    }

    /** {@code {"restore_times": [{"start_time": ms, "end_time": ms}]}}; empty when the body is not that shape. */
    public static Optional<List<Window>> parse(String body) {
        try {
            JsonNode times = JSON.readTree(body).get("restore_times");
            if (times == null || !times.isArray()) {
                return Optional.empty();
            }
            List<Window> windows = new ArrayList<>();
            for (JsonNode time : times) {
                Long start = millis(time.get("start_time"));
                Long end = millis(time.get("end_time"));
                if (start == null || end == null) {
                    return Optional.empty();
                }
                windows.add(new Window(Instant.ofEpochMilli(start), Instant.ofEpochMilli(end)));
            }
            return Optional.of(List.copyOf(windows));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static Long millis(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual() && node.textValue().matches("[0-9]{1,19}")) {
            try {
                return Long.parseLong(node.textValue());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether a moment lies in one of the windows. */
    public static boolean covers(List<Window> windows, long millis) {
        return windows.stream().anyMatch(w -> w.contains(millis));
    }

    /** The windows in words (UTC), at most twenty of them, newest last. */
    public static String describe(List<Window> windows) {
        if (windows.isEmpty()) {
            return "the instance has no restorable window";
        }
        StringBuilder text = new StringBuilder("the instance's restorable windows (UTC): ");
        int from = Math.max(0, windows.size() - LISTED);
        if (from > 0) {
            text.append(from).append(" older window(s), then ");
        }
        for (int i = from; i < windows.size(); i++) {
            text.append(i > from ? ", " : "").append(windows.get(i).start()).append(" to ").append(windows.get(i).end());
        }
        return text.toString();
    }
}
