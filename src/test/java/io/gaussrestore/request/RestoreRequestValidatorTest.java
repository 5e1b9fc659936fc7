package io.gaussrestore.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RestoreRequestValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2023-08-02T00:00:00Z");
    private static final RestoreRequestValidator VALIDATOR =
            new RestoreRequestValidator(new RequestRules(5, Duration.ofDays(732), Duration.ofSeconds(60)),
                    Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String EXAMPLE = io.gaussrestore.testing.Requests.EXAMPLE
            .formatted("INC-4711-orders", "61a4ea66210545909d74a05c27a7179ein07");

    static ObjectNode example() {
        try {
            return (ObjectNode) JSON.readTree(EXAMPLE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode firstDb(ObjectNode json) {
        return (ObjectNode) json.get("restore_tables").get(0);
    }

    private static ObjectNode firstTable(ObjectNode json) {
        return (ObjectNode) firstDb(json).get("tables").get(0);
    }

    private static ArrayNode tables(ObjectNode json) {
        return (ArrayNode) firstDb(json).get("tables");
    }

    private static String chars(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    static Stream<Arguments> accepted() {
        return Stream.<Arguments>of(
                Arguments.of("the API reference's example", (Consumer<ObjectNode>) j -> {}),
                Arguments.of("restore_time as a numeric string", (Consumer<ObjectNode>) j -> j.put("restore_time", "1690890940000")),
                Arguments.of("restore_time as an ISO-8601 instant", (Consumer<ObjectNode>) j -> j.put("restore_time", "2023-08-01T11:55:40Z")),
                Arguments.of("restore_time as an ISO-8601 time with offset", (Consumer<ObjectNode>) j -> j.put("restore_time", "2023-08-01T19:55:40+08:00")),
                Arguments.of("restore_time 59 s in the future (clock skew)", (Consumer<ObjectNode>) j -> j.put("restore_time", NOW.plusSeconds(59).toEpochMilli())),
                Arguments.of("restore_time just inside the retention", (Consumer<ObjectNode>) j -> j.put("restore_time", NOW.minus(Duration.ofDays(732)).plusSeconds(1).toEpochMilli())),
                Arguments.of("last_table_info as the string false", (Consumer<ObjectNode>) j -> j.put("last_table_info", "false")),
                Arguments.of("last_table_info absent", (Consumer<ObjectNode>) j -> j.remove("last_table_info")),
                Arguments.of("last_table_info null", (Consumer<ObjectNode>) j -> j.putNull("last_table_info")),
                Arguments.of("request_id absent", (Consumer<ObjectNode>) j -> j.remove("request_id")),
                Arguments.of("request_id null", (Consumer<ObjectNode>) j -> j.putNull("request_id")),
                Arguments.of("request_id of 128 allowed characters", (Consumer<ObjectNode>) j -> j.put("request_id", "a.b_c:d-" + chars('x', 120))),
                Arguments.of("table names of 64 characters with _ - $", (Consumer<ObjectNode>) j -> {
                    firstTable(j).put("old_name", "a_b-c$" + chars('o', 58));
                    firstTable(j).put("new_name", "n_b-c$" + chars('n', 58));
                }),
                Arguments.of("a unicode database name of 64 characters", (Consumer<ObjectNode>) j -> firstDb(j).put("database", chars('库', 64))),
                Arguments.of("the same old_name in two databases", (Consumer<ObjectNode>) j -> ((ArrayNode) j.get("restore_tables"))
                        .addObject().put("database", "test_db_2").putArray("tables").addObject().put("old_name", "t3").put("new_name", "t3_x")),
                Arguments.of("exactly the table cap (5)", (Consumer<ObjectNode>) j -> {
                    for (int i = 0; i < 4; i++) {
                        tables(j).addObject().put("old_name", "x" + i).put("new_name", "x" + i + "_r");
                    }
                }),
                Arguments.of("audit strings of 256 characters", (Consumer<ObjectNode>) j -> {
                    j.put("requested_by", chars('ü', 256));
                    j.put("ticket", chars('t', 256));
                }),
                Arguments.of("unknown fields", (Consumer<ObjectNode>) j -> j.put("colour", "blue").putObject("extra").put("x", 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts(String name, Consumer<ObjectNode> mutation) {
        ObjectNode json = example();
        mutation.accept(json);
        RequestCheck check = VALIDATOR.check(json);
        assertThat(check).as(name).isInstanceOf(RequestCheck.Valid.class);
    }

    static Stream<Arguments> rejected() {
        return Stream.<Arguments>of(
                Arguments.of("request_id empty", (Consumer<ObjectNode>) j -> j.put("request_id", ""), List.of("$.request_id")),
                Arguments.of("request_id of 129 characters", (Consumer<ObjectNode>) j -> j.put("request_id", chars('r', 129)), List.of("$.request_id")),
                Arguments.of("request_id with a space", (Consumer<ObjectNode>) j -> j.put("request_id", "INC 4711"), List.of("$.request_id")),
                Arguments.of("request_id with unicode", (Consumer<ObjectNode>) j -> j.put("request_id", "INC-ß"), List.of("$.request_id")),
                Arguments.of("request_id a number", (Consumer<ObjectNode>) j -> j.put("request_id", 4711), List.of("$.request_id")),
                Arguments.of("project_id missing", (Consumer<ObjectNode>) j -> j.remove("project_id"), List.of("$.project_id")),
                Arguments.of("project_id null", (Consumer<ObjectNode>) j -> j.putNull("project_id"), List.of("$.project_id")),
                Arguments.of("project_id empty", (Consumer<ObjectNode>) j -> j.put("project_id", ""), List.of("$.project_id")),
                Arguments.of("project_id of 31 characters", (Consumer<ObjectNode>) j -> j.put("project_id", chars('a', 31)), List.of("$.project_id")),
                Arguments.of("project_id with a dash", (Consumer<ObjectNode>) j -> j.put("project_id", "97b026aa-cc4417888c14c84a1ad9860"), List.of("$.project_id")),
                Arguments.of("project_id a number", (Consumer<ObjectNode>) j -> j.put("project_id", 42), List.of("$.project_id")),
                Arguments.of("instance_id missing", (Consumer<ObjectNode>) j -> j.remove("instance_id"), List.of("$.instance_id")),
                Arguments.of("instance_id without in07", (Consumer<ObjectNode>) j -> j.put("instance_id", "61a4ea66210545909d74a05c27a7179ein01"), List.of("$.instance_id")),
                Arguments.of("instance_id too short", (Consumer<ObjectNode>) j -> j.put("instance_id", "61a4ein07"), List.of("$.instance_id")),
                Arguments.of("restore_time missing", (Consumer<ObjectNode>) j -> j.remove("restore_time"), List.of("$.restore_time")),
                Arguments.of("restore_time null", (Consumer<ObjectNode>) j -> j.putNull("restore_time"), List.of("$.restore_time")),
                Arguments.of("restore_time empty string", (Consumer<ObjectNode>) j -> j.put("restore_time", ""), List.of("$.restore_time")),
                Arguments.of("restore_time a boolean", (Consumer<ObjectNode>) j -> j.put("restore_time", true), List.of("$.restore_time")),
                Arguments.of("restore_time a fraction", (Consumer<ObjectNode>) j -> j.put("restore_time", 1690890940000.5), List.of("$.restore_time")),
                Arguments.of("restore_time negative", (Consumer<ObjectNode>) j -> j.put("restore_time", -1), List.of("$.restore_time")),
                Arguments.of("restore_time a date without time", (Consumer<ObjectNode>) j -> j.put("restore_time", "2023-08-01"), List.of("$.restore_time")),
                Arguments.of("restore_time 61 s in the future", (Consumer<ObjectNode>) j -> j.put("restore_time", NOW.plusSeconds(61).toEpochMilli()), List.of("$.restore_time")),
                Arguments.of("restore_time older than the retention", (Consumer<ObjectNode>) j -> j.put("restore_time", NOW.minus(Duration.ofDays(733)).toEpochMilli()), List.of("$.restore_time")),
                Arguments.of("last_table_info a number", (Consumer<ObjectNode>) j -> j.put("last_table_info", 1), List.of("$.last_table_info")),
                Arguments.of("last_table_info the string yes", (Consumer<ObjectNode>) j -> j.put("last_table_info", "yes"), List.of("$.last_table_info")),
                Arguments.of("last_table_info the string TRUE", (Consumer<ObjectNode>) j -> j.put("last_table_info", "TRUE"), List.of("$.last_table_info")),
                Arguments.of("restore_tables missing", (Consumer<ObjectNode>) j -> j.remove("restore_tables"), List.of("$.restore_tables")),
                Arguments.of("restore_tables empty", (Consumer<ObjectNode>) j -> j.putArray("restore_tables"), List.of("$.restore_tables")),
                Arguments.of("restore_tables an object", (Consumer<ObjectNode>) j -> j.putObject("restore_tables"), List.of("$.restore_tables")),
                Arguments.of("restore_tables entry a string", (Consumer<ObjectNode>) j -> j.putArray("restore_tables").add("db"), List.of("$.restore_tables[0]")),
                Arguments.of("database missing", (Consumer<ObjectNode>) j -> firstDb(j).remove("database"), List.of("$.restore_tables[0].database")),
                Arguments.of("database empty", (Consumer<ObjectNode>) j -> firstDb(j).put("database", ""), List.of("$.restore_tables[0].database")),
                Arguments.of("database of 65 characters", (Consumer<ObjectNode>) j -> firstDb(j).put("database", chars('d', 65)), List.of("$.restore_tables[0].database")),
                Arguments.of("database listed twice", (Consumer<ObjectNode>) j -> ((ArrayNode) j.get("restore_tables"))
                        .addObject().put("database", "test_db_1").putArray("tables").addObject().put("old_name", "t4").put("new_name", "t4_x"),
                        List.of("$.restore_tables[1].database")),
                Arguments.of("tables missing", (Consumer<ObjectNode>) j -> firstDb(j).remove("tables"), List.of("$.restore_tables[0].tables")),
                Arguments.of("tables empty", (Consumer<ObjectNode>) j -> firstDb(j).putArray("tables"), List.of("$.restore_tables[0].tables")),
                Arguments.of("table entry null", (Consumer<ObjectNode>) j -> tables(j).addNull(), List.of("$.restore_tables[0].tables[1]")),
                Arguments.of("old_name missing", (Consumer<ObjectNode>) j -> firstTable(j).remove("old_name"), List.of("$.restore_tables[0].tables[0].old_name")),
                Arguments.of("old_name empty", (Consumer<ObjectNode>) j -> firstTable(j).put("old_name", ""), List.of("$.restore_tables[0].tables[0].old_name")),
                Arguments.of("old_name of 65 characters", (Consumer<ObjectNode>) j -> firstTable(j).put("old_name", chars('o', 65)), List.of("$.restore_tables[0].tables[0].old_name")),
                Arguments.of("old_name in Chinese", (Consumer<ObjectNode>) j -> firstTable(j).put("old_name", "订单"), List.of("$.restore_tables[0].tables[0].old_name")),
                Arguments.of("old_name with a dot", (Consumer<ObjectNode>) j -> firstTable(j).put("old_name", "db.t3"), List.of("$.restore_tables[0].tables[0].old_name")),
                Arguments.of("new_name null", (Consumer<ObjectNode>) j -> firstTable(j).putNull("new_name"), List.of("$.restore_tables[0].tables[0].new_name")),
                Arguments.of("new_name with a space", (Consumer<ObjectNode>) j -> firstTable(j).put("new_name", "t3 copy"), List.of("$.restore_tables[0].tables[0].new_name")),
                Arguments.of("new_name a number", (Consumer<ObjectNode>) j -> firstTable(j).put("new_name", 3), List.of("$.restore_tables[0].tables[0].new_name")),
                Arguments.of("new_name equal to old_name", (Consumer<ObjectNode>) j -> firstTable(j).put("new_name", "t3"), List.of("$.restore_tables[0].tables[0].new_name")),
                Arguments.of("old_name twice in a database", (Consumer<ObjectNode>) j -> tables(j).addObject().put("old_name", "t3").put("new_name", "t3_other"),
                        List.of("$.restore_tables[0].tables[1].old_name")),
                Arguments.of("new_name twice in a database", (Consumer<ObjectNode>) j -> tables(j).addObject().put("old_name", "t4").put("new_name", "t3_1690899914000"),
                        List.of("$.restore_tables[0].tables[1].new_name")),
                Arguments.of("more tables than the cap (6 > 5)", (Consumer<ObjectNode>) j -> {
                    for (int i = 0; i < 5; i++) {
                        tables(j).addObject().put("old_name", "x" + i).put("new_name", "x" + i + "_r");
                    }
                }, List.of("$.restore_tables")),
                Arguments.of("requested_by of 257 characters", (Consumer<ObjectNode>) j -> j.put("requested_by", chars('b', 257)), List.of("$.requested_by")),
                Arguments.of("reason an object", (Consumer<ObjectNode>) j -> j.putObject("reason"), List.of("$.reason")),
                Arguments.of("ticket of 257 characters", (Consumer<ObjectNode>) j -> j.put("ticket", chars('t', 257)), List.of("$.ticket")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String name, Consumer<ObjectNode> mutation, List<String> paths) {
        ObjectNode json = example();
        mutation.accept(json);
        RequestCheck check = VALIDATOR.check(json);
        assertThat(check).as(name).isInstanceOf(RequestCheck.Invalid.class);
        List<Violation> violations = ((RequestCheck.Invalid) check).violations();
        assertThat(violations).extracting(Violation::field).as(name).containsExactlyElementsOf(paths);
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).endsWith("."));
    }

    @Test
    void keepsAtMostAHundredViolationsAndCountsTheRest() {
        ObjectNode json = example();
        com.fasterxml.jackson.databind.node.ArrayNode databases = json.putArray("restore_tables");
        for (int i = 0; i < 20_000; i++) {
            databases.addObject();
        }

        RequestCheck.Invalid invalid = (RequestCheck.Invalid) VALIDATOR.check(json);

        assertThat(invalid.violationCount()).isEqualTo(40_000);
        assertThat(invalid.violations()).hasSize(Bounded.MAX_VIOLATIONS);
        assertThat(invalid.violations().get(0).field()).isEqualTo("$.restore_tables[0].database");
        assertThat(invalid.violations().get(Bounded.MAX_VIOLATIONS - 1).message())
                .isEqualTo("39901 more violations are not listed; 40000 in all.");
    }

    @Test
    void reportsEveryViolationAtOnceWithPaths() {
        ObjectNode json = example();
        json.put("project_id", "short");
        json.remove("instance_id");
        json.put("restore_time", "yesterday");
        firstTable(json).put("new_name", "t3");
        json.put("last_table_info", "maybe");

        RequestCheck.Invalid invalid = (RequestCheck.Invalid) VALIDATOR.check(json);

        assertThat(invalid.violations()).extracting(Violation::field).containsExactlyInAnyOrder(
                "$.project_id", "$.instance_id", "$.restore_time", "$.last_table_info",
                "$.restore_tables[0].tables[0].new_name");
        assertThat(invalid.requestId()).isEqualTo("INC-4711-orders");
        assertThat(invalid.audit().requestedBy()).isEqualTo("incident-bot");
    }

    @Test
    void normalisesEverySpelling() {
        ObjectNode json = example();
        json.put("restore_time", "2023-08-01T11:55:40Z");
        json.put("last_table_info", "true");

        RestoreRequest request = ((RequestCheck.Valid) VALIDATOR.check(json)).request();

        assertThat(request.restoreTimeMillis()).isEqualTo(1690890940000L);
        assertThat(request.lastTableInfo()).isTrue();
        assertThat(request.restoreTables()).singleElement().satisfies(db -> {
            assertThat(db.database()).isEqualTo("test_db_1");
            assertThat(db.tables()).containsExactly(new RestoreRequest.TableRename("t3", "t3_1690899914000"));
        });
        assertThat(request.audit()).isEqualTo(new RestoreRequest.Audit("incident-bot", "rows deleted by a bad migration", null));
    }
}
