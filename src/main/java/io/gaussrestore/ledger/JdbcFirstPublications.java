package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.PUBLISH_LEASE;
import static io.gaussrestore.ledger.LedgerRows.time;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Who publishes each first result, and whether it is out, on JDBC. */
final class JdbcFirstPublications implements FirstPublications {

    private final LedgerJdbc db;

    JdbcFirstPublications(LedgerJdbc db) {
        this.db = db;
    }

    /**
     * A first result nobody has published and nobody holds, or whose hold lapsed, or is held by this same publisher
     * (a retry after the ledger failed between the statement and the read). Binds: false, now, publisher.
     */
    private static final String FREE_TO_PUBLISH = "first_result_published = ? "
            + "AND (first_publish_until IS NULL OR first_publish_until <= ? OR first_publisher = ?)";

    @Override
    public Optional<String> takeFirstPublication(String requestId, String resultJson, boolean keep, String publisher,
            Instant now) {
        if (keep && db.execute("UPDATE restore_request SET first_result_json = ?, first_publisher = ?, "
                        + "first_publish_until = ? WHERE request_id = ? AND first_result_json IS NULL AND "
                        + FREE_TO_PUBLISH,
                resultJson, publisher, time(now.plus(PUBLISH_LEASE)), requestId, false, time(now), publisher) == 1) {
            // The usual case, one statement: nothing kept yet, so the bytes kept are these.
            return Optional.of(resultJson);
        }
        int taken = db.execute("UPDATE restore_request SET first_result_json = CASE WHEN ? THEN "
                        + "COALESCE(first_result_json, ?) ELSE first_result_json END, first_publisher = ?, "
                        + "first_publish_until = ? WHERE request_id = ? AND " + FREE_TO_PUBLISH,
                keep, resultJson, publisher, time(now.plus(PUBLISH_LEASE)), requestId, false, time(now), publisher);
        if (taken != 1) {
            return Optional.empty();
        }
        return Optional.of(keep ? db.require(requestId).firstResultJson() : resultJson);
    }

    private static final String MARK_PUBLISHED = "UPDATE restore_request SET first_result_published = ?, "
            + "first_publisher = NULL, first_publish_until = NULL WHERE request_id = ?";

    @Override
    public void markFirstResultPublished(String requestId) {
        db.execute(MARK_PUBLISHED, true, requestId);
    }

    /**
     * One transaction for the lot, its only use in the ledger: each update is whole by itself, the transaction
     * only saves a commit per request when many results reach the broker at once.
     */
    @Override
    public void markFirstResultsPublished(java.util.Collection<String> requestIds) {
        if (requestIds.isEmpty()) {
            return;
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(MARK_PUBLISHED)) {
                for (String requestId : requestIds) {
                    s.setBoolean(1, true);
                    s.setString(2, requestId);
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new LedgerException("could not note " + requestIds.size() + " first result(s) as published", e);
        }
    }
}
