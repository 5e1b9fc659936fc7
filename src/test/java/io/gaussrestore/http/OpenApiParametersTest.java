package io.gaussrestore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.testing.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every parameter of every operation of the published OpenAPI document, sent values it cannot take: each answer
 * is a 400 with the documented JSON error body, never the framework's 404, a 500 or an empty body. The document
 * drives the walk, so a new endpoint or parameter is covered without anyone adding it here.
 */
@QuarkusTest
class OpenApiParametersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bad value, as sent (already URL-encoded), and what is wrong with it. */
    private record Bad(String encoded, String what) {}

    @Test
    void everyParameterAnswersABadValueWithADocumented400() throws Exception {
        JsonNode document = JSON.readTree(Api.management().queryParam("format", "json").get("/q/openapi").asString());
        List<String> tried = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext(); ) {
                Map.Entry<String, JsonNode> operation = operations.next();
                List<JsonNode> parameters = new ArrayList<>();
                path.getValue().path("parameters").forEach(parameters::add);
                operation.getValue().path("parameters").forEach(parameters::add);
                for (JsonNode parameter : parameters) {
                    String in = parameter.get("in").asText();
                    if (!in.equals("query") && !in.equals("path")) {
                        continue;
                    }
                    for (Bad bad : badValues(parameter.get("schema"), in)) {
                        String url = url(path.getKey(), parameters, parameter.get("name").asText(), bad.encoded());
                        String method = operation.getKey().toUpperCase(java.util.Locale.ROOT);
                        Response answer = Api.asBot().urlEncodingEnabled(false).contentType("application/json")
                                .body(method.equals("GET") ? "" : "{}").request(method, url);
                        String seen = method + " " + url.substring(0, Math.min(url.length(), 90)) + " (" + bad.what()
                                + ") -> " + answer.statusCode() + " " + bounded(answer.asString());
                        tried.add(seen);
                        if (answer.statusCode() != 400 || !hasError(answer)) {
                            wrong.add(seen);
                        }
                    }
                }
            }
        }
        List<String> statuses = new ArrayList<>();
        document.at("/paths/~1restores/get/parameters").forEach(p -> {
            if (p.get("name").asText().equals("status")) {
                p.at("/schema/enum").forEach(v -> statuses.add(v.asText()));
            }
        });
        assertThat(statuses).as("the statuses the document names are the service's")
                .containsExactly(java.util.Arrays.stream(io.gaussrestore.ledger.LedgerState.values()).map(Enum::name)
                        .toArray(String[]::new));
        System.out.println("OpenAPI parameters walked:\n  " + String.join("\n  ", tried));
        assertThat(tried).as("the document's parameters were walked").hasSizeGreaterThanOrEqualTo(15);
        assertThat(wrong).as("answers other than a 400 with an error body").isEmpty();
    }

    /** Values a parameter of this schema cannot take. */
    private static List<Bad> badValues(JsonNode schema, String in) {
        List<Bad> values = new ArrayList<>();
        String type = schema == null ? "string" : schema.path("type").asText("string");
        if (type.equals("integer") || type.equals("number")) {
            values.add(new Bad("2147483648", "past the largest int"));
            values.add(new Bad("-1", "negative"));
            values.add(new Bad("0", "zero"));
            values.add(new Bad("99999999999999999999", "past any long"));
            values.add(new Bad("abc", "not a number"));
            values.add(new Bad("1.5", "not whole"));
            return values;
        }
        if (schema != null && schema.has("enum")) {
            values.add(new Bad("NOT_ONE_OF_THEM", "not one of its values"));
        }
        // Over-long for any parameter (the longest takes 128), within the 4,096 bytes of a request line: a longer
        // line is refused before any route by HTTP's own 414 URI Too Long.
        values.add(new Bad("a".repeat(129), "129 characters"));
        values.add(new Bad("a".repeat(3000), "3,000 characters"));
        values.add(new Bad("a%01b", "a control character"));
        values.add(new Bad("a%0Ab", "a line break"));
        if (in.equals("path")) {
            values.add(new Bad("a%20b", "a space"));
        }
        return values;
    }

    /** The path with every path parameter filled (the one tried with its bad value), and the query. */
    private static String url(String template, List<JsonNode> parameters, String tried, String encoded) {
        String url = template;
        Map<String, String> query = new LinkedHashMap<>();
        for (JsonNode parameter : parameters) {
            String name = parameter.get("name").asText();
            String value = name.equals(tried) ? encoded : null;
            if (parameter.get("in").asText().equals("path")) {
                url = url.replace("{" + name + "}", value != null ? value
                        : URLEncoder.encode("a-request-" + name, StandardCharsets.UTF_8));
            } else if (value != null) {
                query.put(name, value);
            }
        }
        StringBuilder built = new StringBuilder(url);
        query.forEach((name, value) -> built.append(built.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                .append(value));
        return built.toString();
    }

    private static boolean hasError(Response answer) {
        try {
            JsonNode body = JSON.readTree(answer.asString());
            return answer.contentType().startsWith("application/json") && body.hasNonNull("error")
                    && !body.get("error").asText().isBlank();
        } catch (Exception e) {
            return false;
        }
    }

    private static String bounded(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "..." : text;
    }
}
