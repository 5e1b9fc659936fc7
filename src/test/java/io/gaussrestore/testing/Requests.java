package io.gaussrestore.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The request fixtures the tests share: the project they restore in, fresh instances, the restore path, statuses. */
public final class Requests {

    /** The project every test request restores in. */
    public static final String PROJECT = "97b026aa9cc4417888c14c84a1ad9860";

    private Requests() {}

    /** A fresh, well-formed instance_id, so that a test's requests share no line with another's. */
    public static String instance() {
        return UUID.randomUUID().toString().replace("-", "") + "in07";
    }

    /** The cloud path a restore of that instance is POSTed to. */
    public static String restorePath(String instance) {
        return "/v3/" + PROJECT + "/instances/" + instance + "/backups/restore/tables";
    }

    /** An hour ago in epoch milliseconds: a restore_time inside every window the tests use. */
    public static long anHourAgo() {
        return Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
    }

    /**
     * The contract's example request (docs/contract.md) with a request_id and instance_id to fill in, in that
     * order, with {@link String#formatted}.
     */
    public static final String EXAMPLE = """
            {
              "request_id": "%s",
              "project_id": "97b026aa9cc4417888c14c84a1ad9860",
              "instance_id": "%s",
              "restore_time": 1690890940000,
              "last_table_info": true,
              "restore_tables": [
                {"database": "test_db_1", "tables": [{"old_name": "t3", "new_name": "t3_1690899914000"}]}
              ],
              "requested_by": "incident-bot",
              "reason": "rows deleted by a bad migration"
            }
            """;

    /** A valid request restoring shop.orders as orders_back an hour ago. */
    public static String request(String requestId, String instance) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, PROJECT, instance, anHourAgo());
    }

    /** The statuses a request's results carry, in topic order. */
    public static List<String> statuses(String requestId) {
        return TestTopics.resultValues(requestId).stream().map(r -> r.get("status").asText()).toList();
    }
}
