package io.gaussrestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.ledger.LedgerEntry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How the console writes times, ages, links and JSON: pure functions of what they are given. */
final class ConsoleFormat {

    private ConsoleFormat() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter MOMENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        return seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }

    static String at(Instant instant) {
        return instant == null ? "" : MOMENT.format(instant);
    }

    static Instant moment(String text, String field, List<String> problems) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return text.length() <= 16 && text.contains("T")
                    ? LocalDateTime.parse(text).toInstant(ZoneOffset.UTC)
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            problems.add(field + " must be a time in UTC such as 2026-11-29T09:30 or 2026-11-29T09:30:00Z");
            return null;
        }
    }

    static String searchLink(Map<String, String> filters, int page) {
        StringBuilder link = new StringBuilder(ConsoleSessions.PATH + "/requests?");
        filters.forEach((name, value) -> {
            if (!value.isEmpty()) {
                link.append(name).append('=').append(encode(value)).append('&');
            }
        });
        return link.append("page=").append(page).toString();
    }

    static String link(Optional<String> template, LedgerEntry entry) {
        return template.map(t -> t.replace("{request_id}", encode(entry.requestId()))
                .replace("{instance_id}", encode(Optional.ofNullable(entry.instanceId()).orElse("")))).orElse(null);
    }

    static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String pretty(JsonNode request, LedgerEntry entry) {
        if (request == null) {
            return entry.requestJson() == null ? "" : entry.requestJson();
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(request);
        } catch (IOException e) {
            return entry.requestJson();
        }
    }

    static String prettyText(String json) {
        JsonNode node;
        try {
            node = json == null ? null : JSON.readTree(json);
        } catch (IOException e) {
            return json;
        }
        try {
            return node == null ? null : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return json;
        }
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String blank(String text) {
        return text == null ? "" : text.strip();
    }

    static String nullIfEmpty(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
