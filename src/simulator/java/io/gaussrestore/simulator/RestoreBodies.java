package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** How the simulator reads a restore POST's body: its fields' rules, and what restore it asks for. */
final class RestoreBodies {

    private static final Pattern OBJECT_NAME = Pattern.compile("[A-Za-z0-9_$-]{1,64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RestoreBodies() {
    }

    /** The restore a POST asked for: instance, restore time and sorted tables; null for an unreadable body. */
    static String describe(GaussDbSimulator.Call call) {
        try {
            JsonNode body = JSON.readTree(call.text());
            List<String> tables = new ArrayList<>();
            for (JsonNode database : body.get("restore_tables")) {
                for (JsonNode table : database.get("tables")) {
                    tables.add(database.get("database").asText() + "." + table.get("old_name").asText() + ">"
                            + table.get("new_name").asText());
                }
            }
            Collections.sort(tables);
            return call.instanceId() + "|" + body.get("restore_time").asText() + "|" + String.join(",", tables);
        } catch (Exception unreadable) {
            return null;
        }
    }

    static Optional<Long> restoreTime(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isIntegralNumber()) {
            return Optional.of(node.longValue());
        }
        if (node.isTextual() && node.asText().matches("[0-9]{1,19}")) {
            return Optional.of(Long.parseLong(node.asText()));
        }
        return Optional.empty();
    }

    static boolean validLastTableInfo(JsonNode node) {
        return node.isBoolean() || (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false")));
    }

    static boolean validName(JsonNode node) {
        return node != null && node.isTextual() && OBJECT_NAME.matcher(node.asText()).matches();
    }
}
