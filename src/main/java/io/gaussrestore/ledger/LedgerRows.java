package io.gaussrestore.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** The ledger's rows in SQL: the columns read, the mapping of a row to a {@link LedgerEntry}, time and text conversions. */
final class LedgerRows {

    private LedgerRows() {}

    static final String UNIQUE_VIOLATION = "23505";
    static final int CLAIM_ROUNDS = 8;
    /**
     * How long a publisher holds a result it is publishing: a later result before any job tracker may publish it, a
     * first result before another owner of the same record may (a publish takes milliseconds; after a crash the
     * result goes out this much later, and the job's polls resume).
     */
    static final Duration PUBLISH_LEASE = Duration.ofSeconds(15);
    static final String COLUMNS = "request_id, business_key, project_id, instance_id, state, first_status, "
            + "first_result_id, first_result_published, request_json, requested_by, reason, ticket, job_id, attempts, "
            + "error_code, error_message, error_details, http_status, retryable, duplicate_of, progress, source, "
            + "lease_owner, lease_until, received_at, submitted_at, finished_at, updated_at, job_status, next_poll_at, "
            + "polls, tracker_owner, tracker_lease_until, track_event_id, track_event_published, lease_token, first_result_json, queue_position, queued_at, queue_place, waiting_for, queue_check_at, "
            + "queue_deadline";

    static String eventId() {
        return UUID.randomUUID().toString();
    }

    static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, arg);
            }
        }
    }

    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static String truncate(String text) {
        return truncate(text, 4000);
    }

    static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    static LedgerEntry entry(ResultSet rs) throws SQLException {
        String firstStatus = rs.getString("first_status");
        int httpStatus = rs.getInt("http_status");
        Integer http = rs.wasNull() ? null : httpStatus;
        boolean retryableValue = rs.getBoolean("retryable");
        Boolean retryable = rs.wasNull() ? null : retryableValue;
        return new LedgerEntry(
                rs.getString("request_id"),
                rs.getString("business_key"),
                rs.getString("project_id"),
                rs.getString("instance_id"),
                LedgerState.valueOf(rs.getString("state")),
                firstStatus == null ? null : LedgerState.valueOf(firstStatus),
                rs.getString("first_result_id"),
                rs.getBoolean("first_result_published"),
                rs.getString("request_json"),
                rs.getString("requested_by"),
                rs.getString("reason"),
                rs.getString("ticket"),
                rs.getString("job_id"),
                rs.getInt("attempts"),
                rs.getString("error_code"),
                rs.getString("error_message"),
                rs.getString("error_details"),
                http,
                retryable,
                rs.getString("duplicate_of"),
                rs.getString("progress"),
                rs.getString("source"),
                rs.getString("lease_owner"),
                instant(rs, "lease_until"),
                instant(rs, "received_at"),
                instant(rs, "submitted_at"),
                instant(rs, "finished_at"),
                instant(rs, "updated_at"),
                rs.getString("job_status"),
                instant(rs, "next_poll_at"),
                rs.getInt("polls"),
                rs.getString("tracker_owner"),
                instant(rs, "tracker_lease_until"),
                rs.getString("track_event_id"),
                rs.getBoolean("track_event_published"),
                rs.getString("lease_token"),
                rs.getString("first_result_json"),
                nullableLong(rs, "queue_position"),
                instant(rs, "queued_at"),
                nullableInt(rs, "queue_place"),
                rs.getString("waiting_for"),
                instant(rs, "queue_check_at"),
                instant(rs, "queue_deadline"));
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
