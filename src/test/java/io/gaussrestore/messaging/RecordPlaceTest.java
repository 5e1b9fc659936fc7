package io.gaussrestore.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.request.Judged;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestRules;
import io.gaussrestore.request.RestoreRequestValidator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where the dispatcher puts a record in its instance's line, decided from the record alone and what it remembers. */
class RecordPlaceTest {

    private static final Instant NOW = Instant.parse("2023-08-02T00:00:00Z");
    private static final RecordDecoder DECODER = new RecordDecoder(1024 * 1024);
    private static final RestoreRequestValidator VALIDATOR = new RestoreRequestValidator(RequestRules.DEFAULTS,
            Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String INSTANCE = "61a4ea66210545909d74a05c27a7179ein07";

    private static String request(String requestId, String table, String extra) {
        return """
                {"request_id": "%s", "project_id": "97b026aa9cc4417888c14c84a1ad9860", "instance_id": "%s",
                 "restore_time": 1690890940000,
                 "restore_tables": [{"database": "db", "tables": [{"old_name": "%s", "new_name": "%s_r"}]}]%s}
                """.formatted(requestId, INSTANCE, table, table, extra);
    }

    private static RequestDispatcher.Place place(String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        return RequestDispatcher.place(Judged.of(value, null, NOW, java.time.Duration.ofDays(7), DECODER, VALIDATOR), value);
    }

    @Test
    void aNewRequestIdForARestoreAlreadySubmittedNeverReachesTheCloudSoItRunsBesideItsGroup() {
        RequestDispatcher.Place original = place(request("first", "orders", ""));
        RequestDispatcher.Place again = place(request("second", "orders", ""));
        RequestDispatcher.Place other = place(request("third", "customers", ""));
        Set<String> submitted = Set.of(original.businessKey());

        assertThat(again.businessKey()).as("the same restore").isEqualTo(original.businessKey());
        assertThat(again.key()).isEqualTo("instance:" + INSTANCE);
        assertThat(again.neverReachesCloud(submitted::contains)).isTrue();
        assertThat(other.neverReachesCloud(submitted::contains)).as("another restore waits its turn").isFalse();
        assertThat(again.neverReachesCloud(key -> false)).as("a key not known to be submitted waits its turn").isFalse();
    }

    @Test
    void aDryRunAndARuleBreakingRecordHaveNoBusinessKeyToRemember() {
        RequestDispatcher.Place dryRun = place(request("dry", "orders", ", \"dry_run\": true"));
        RequestDispatcher.Place broken = place(request("broken", "orders", ", \"requested_by\": \"bot\\u0007\""));
        RequestDispatcher.Place unreadable = place("{\"instance_id\": ");

        assertThat(dryRun.businessKey()).isNull();
        assertThat(dryRun.neverReachesCloud(key -> true)).isFalse();
        assertThat(broken.businessKey()).isNull();
        assertThat(broken.neverReachesCloud(key -> false)).as("it breaks the rules").isTrue();
        assertThat(unreadable.key()).startsWith("unordered:");
        assertThat(unreadable.neverReachesCloud(key -> true)).isFalse();
    }
}
