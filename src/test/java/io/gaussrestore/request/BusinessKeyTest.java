package io.gaussrestore.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BusinessKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RestoreRequestValidator VALIDATOR = new RestoreRequestValidator(RequestRules.DEFAULTS,
            Clock.fixed(Instant.parse("2023-08-02T00:00:00Z"), ZoneOffset.UTC));
    private static final String BASE = """
            {"project_id": "97b026aa9cc4417888c14c84a1ad9860",
             "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
             "restore_time": 1690890940000, "last_table_info": true,
             "restore_tables": [
               {"database": "db_a", "tables": [{"old_name": "t1", "new_name": "t1_r"}, {"old_name": "t2", "new_name": "t2_r"}]},
               {"database": "db_b", "tables": [{"old_name": "t1", "new_name": "t1_r"}]}]}
            """;

    private static String key(String json) throws Exception {
        RequestCheck check = VALIDATOR.check((ObjectNode) JSON.readTree(json));
        return BusinessKey.of(((RequestCheck.Valid) check).request());
    }

    @ParameterizedTest(name = "same key: {0}")
    @ValueSource(strings = {
            // field order changed
            """
            {"restore_tables": [
               {"database": "db_a", "tables": [{"new_name": "t1_r", "old_name": "t1"}, {"old_name": "t2", "new_name": "t2_r"}]},
               {"tables": [{"old_name": "t1", "new_name": "t1_r"}], "database": "db_b"}],
             "last_table_info": true, "restore_time": 1690890940000,
             "instance_id": "61a4ea66210545909d74a05c27a7179ein07", "project_id": "97b026aa9cc4417888c14c84a1ad9860"}
            """,
            // table order and database order changed
            """
            {"project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
             "restore_time": 1690890940000, "last_table_info": true,
             "restore_tables": [
               {"database": "db_b", "tables": [{"old_name": "t1", "new_name": "t1_r"}]},
               {"database": "db_a", "tables": [{"old_name": "t2", "new_name": "t2_r"}, {"old_name": "t1", "new_name": "t1_r"}]}]}
            """,
            // numbers as strings, time as ISO-8601, audit fields and request_id added
            """
            {"request_id": "other-id", "requested_by": "someone", "reason": "why", "ticket": "T-1",
             "project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
             "restore_time": "2023-08-01T11:55:40Z", "last_table_info": "true",
             "restore_tables": [
               {"database": "db_a", "tables": [{"old_name": "t1", "new_name": "t1_r"}, {"old_name": "t2", "new_name": "t2_r"}]},
               {"database": "db_b", "tables": [{"old_name": "t1", "new_name": "t1_r"}]}]}
            """,
            // restore_time as a numeric string
            """
            {"project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
             "restore_time": "1690890940000", "last_table_info": true,
             "restore_tables": [
               {"database": "db_a", "tables": [{"old_name": "t1", "new_name": "t1_r"}, {"old_name": "t2", "new_name": "t2_r"}]},
               {"database": "db_b", "tables": [{"old_name": "t1", "new_name": "t1_r"}]}]}
            """})
    void spellingDoesNotChangeTheKey(String variant) throws Exception {
        assertThat(key(variant)).isEqualTo(key(BASE));
    }

    @ParameterizedTest(name = "different key: {0}")
    @ValueSource(strings = {
            "\"restore_time\": 1690890940000|\"restore_time\": 1690890940001",
            "\"last_table_info\": true|\"last_table_info\": false",
            "ein07|fin07",
            "97b026aa9cc4417888c14c84a1ad9860|97b026aa9cc4417888c14c84a1ad9861",
            "\"t2_r\"|\"t2_s\"",
            "\"database\": \"db_b\"|\"database\": \"db_c\""})
    void contentChangesTheKey(String replacement) throws Exception {
        String[] parts = replacement.split("\\|");
        assertThat(key(BASE.replace(parts[0], parts[1]))).isNotEqualTo(key(BASE));
    }

    @Test
    void movingATableToAnotherDatabaseChangesTheKey() throws Exception {
        String moved = """
                {"project_id": "97b026aa9cc4417888c14c84a1ad9860",
                 "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
                 "restore_time": 1690890940000, "last_table_info": true,
                 "restore_tables": [
                   {"database": "db_a", "tables": [{"old_name": "t1", "new_name": "t1_r"}]},
                   {"database": "db_b", "tables": [{"old_name": "t1", "new_name": "t1_r"}, {"old_name": "t2", "new_name": "t2_r"}]}]}
                """;
        assertThat(key(moved)).isNotEqualTo(key(BASE));
    }

    @Test
    void keyIsPrefixedLowerCaseSha256() throws Exception {
        assertThat(key(BASE)).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void canonicalFormIsStable() throws Exception {
        RestoreRequest request = ((RequestCheck.Valid) VALIDATOR.check((ObjectNode) JSON.readTree(BASE))).request();
        assertThat(BusinessKey.canonicalForm(request)).isEqualTo(
                "[\"v1\",\"97b026aa9cc4417888c14c84a1ad9860\",\"61a4ea66210545909d74a05c27a7179ein07\",1690890940000,true,"
                        + "[[\"db_a\",\"t1\",\"t1_r\"],[\"db_a\",\"t2\",\"t2_r\"],[\"db_b\",\"t1\",\"t1_r\"]]]");
    }
}
