package io.gaussrestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.request.Violation;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The new-restore form as a person fills it in: tables one per line or separated by ';' ({@code database old_name
 * new_name}), the
 * restore time as an ISO-8601 instant or epoch milliseconds. Turned into a request event, or into the violations of
 * what could not be read; the service's own rules are checked on the event afterwards. Pure functions.
 */
@io.quarkus.qute.TemplateData
public record RestoreForm(String requestId, String projectId, String instanceId, String restoreTime,
        boolean lastTableInfo, String tables, String reason, String ticket) {

    /** The fields a violation can be shown next to; anything else is shown above the form. */
    public static final List<String> FIELDS = List.of("request_id", "project_id", "instance_id", "restore_time",
            "last_table_info", "restore_tables", "reason", "ticket");

    private static final ObjectMapper JSON = new ObjectMapper();

    public RestoreForm {
        requestId = trim(requestId);
        projectId = trim(projectId);
        instanceId = trim(instanceId);
        restoreTime = trim(restoreTime);
        tables = tables == null ? "" : tables.strip();
        reason = trim(reason);
        ticket = trim(ticket);
    }

    /** An empty form. */
    public static RestoreForm empty() {
        return new RestoreForm("", "", "", "", true, "", "", "");
    }

    /** The form filled in from a request event (to send it again, corrected or not). */
    public static RestoreForm of(JsonNode request) {
        StringBuilder lines = new StringBuilder();
        for (JsonNode database : request.path("restore_tables")) {
            for (JsonNode table : database.path("tables")) {
                lines.append(database.path("database").asText()).append(' ').append(table.path("old_name").asText())
                        .append(' ').append(table.path("new_name").asText()).append('\n');
            }
        }
        JsonNode time = request.path("restore_time");
        String restoreTime = time.canConvertToLong() || time.isTextual() && time.asText().matches("\\d{1,19}")
                ? Instant.ofEpochMilli(time.asLong()).toString()
                : time.asText("");
        return new RestoreForm(request.path("request_id").asText(""), request.path("project_id").asText(""),
                request.path("instance_id").asText(""), restoreTime,
                !request.has("last_table_info") || request.path("last_table_info").asText().equals("true"),
                lines.toString(), request.path("reason").asText(""), request.path("ticket").asText(""));
    }

    /** The tables on one line, separated by ';' (for a hidden form field, where a line break would not survive). */
    public String tablesOnOneLine() {
        return String.join("; ", tables.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    /** The event this form asks for, or the violations of the fields that could not be read. */
    public sealed interface Built {
        record Event(ObjectNode json) implements Built {}

        /** What could not be read, and the event with those fields left out (to check the others). */
        record Unreadable(List<Violation> violations, ObjectNode partial) implements Built {}
    }

    /**
     * The request event; {@code requestIdOverride} replaces the form's request_id when not null (an empty string:
     * no request_id, the door makes one up).
     */
    public Built build(String requestIdOverride, boolean dryRun) {
        List<Violation> violations = new ArrayList<>();
        ObjectNode json = JSON.createObjectNode();
        String id = requestIdOverride != null ? requestIdOverride : requestId;
        if (!id.isEmpty()) {
            json.put("request_id", id);
        }
        json.put("project_id", projectId);
        json.put("instance_id", instanceId);
        Long time = restoreTime(violations);
        if (time != null) {
            json.put("restore_time", time);
        }
        json.put("last_table_info", lastTableInfo);
        ArrayNode databases = json.putArray("restore_tables");
        Map<String, ArrayNode> byDatabase = new LinkedHashMap<>();
        String[] lines = tables.isEmpty() ? new String[0] : tables.split("\\R|;");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length != 3) {
                violations.add(new Violation("$.restore_tables", "line " + (i + 1) + " must be three words: database "
                        + "old_name new_name (it has " + words.length + ")"));
                continue;
            }
            ArrayNode tablesOf = byDatabase.computeIfAbsent(words[0], database -> {
                ObjectNode entry = databases.addObject();
                entry.put("database", database);
                return entry.putArray("tables");
            });
            ObjectNode table = tablesOf.addObject();
            table.put("old_name", words[1]);
            table.put("new_name", words[2]);
        }
        if (!reason.isEmpty()) {
            json.put("reason", reason);
        }
        if (!ticket.isEmpty()) {
            json.put("ticket", ticket);
        }
        if (dryRun) {
            json.put("dry_run", true);
        }
        return violations.isEmpty() ? new Built.Event(json) : new Built.Unreadable(violations, json);
    }

    private Long restoreTime(List<Violation> violations) {
        if (restoreTime.isEmpty()) {
            violations.add(new Violation("$.restore_time", "restore_time is required: an instant in UTC such as "
                    + "2026-11-29T09:30:00Z, or epoch milliseconds."));
            return null;
        }
        if (restoreTime.matches("\\d{1,19}")) {
            return Long.parseLong(restoreTime);
        }
        try {
            return Instant.parse(restoreTime).toEpochMilli();
        } catch (DateTimeParseException e) {
            violations.add(new Violation("$.restore_time", "restore_time must be an instant in UTC such as "
                    + "2026-11-29T09:30:00Z, or epoch milliseconds; '" + restoreTime + "' is neither."));
            return null;
        }
    }

    /** The form field a violation belongs to ("" when it belongs to none: shown above the form). */
    public static String fieldOf(Violation violation) {
        String path = violation.field() == null ? "" : violation.field();
        if (!path.startsWith("$.")) {
            return "";
        }
        String first = path.substring(2).split("[.\\[]", 2)[0];
        return FIELDS.contains(first) ? first : "";
    }

    private static String trim(String text) {
        return text == null ? "" : text.strip();
    }
}
