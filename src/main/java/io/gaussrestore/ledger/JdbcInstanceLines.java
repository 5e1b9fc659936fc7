package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.CLAIM_ROUNDS;
import static io.gaussrestore.ledger.LedgerRows.COLUMNS;
import static io.gaussrestore.ledger.LedgerRows.PUBLISH_LEASE;
import static io.gaussrestore.ledger.LedgerRows.UNIQUE_VIOLATION;
import static io.gaussrestore.ledger.LedgerRows.bind;
import static io.gaussrestore.ledger.LedgerRows.eventId;
import static io.gaussrestore.ledger.LedgerRows.time;
import static io.gaussrestore.ledger.LedgerRows.truncate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The instances' durable lines of QUEUED requests on JDBC. */
record JdbcInstanceLines(LedgerJdbc db, Duration lease, String owner) implements InstanceLines {

    @Override
    public Optional<LedgerEntry> occupant(String instanceId, String requestId, boolean jobsCount) {
        String sql = "SELECT " + COLUMNS + " FROM restore_request WHERE instance_id = ? AND request_id <> ? "
                + "AND state IN (?, ?, ?, ?) ORDER BY CASE WHEN state = ? THEN 1 ELSE 0 END DESC, "
                + "queue_position DESC, received_at DESC LIMIT 1";
        String job = jobsCount ? LedgerState.SUBMITTED.name() : LedgerState.SUBMITTING.name();
        String running = jobsCount ? LedgerState.RUNNING.name() : LedgerState.SUBMITTING.name();
        return db.first(sql, instanceId, requestId, LedgerState.QUEUED.name(), LedgerState.SUBMITTING.name(), job,
                running, LedgerState.QUEUED.name());
    }

    @Override
    public Optional<LedgerEntry> park(String requestId, String leaseToken, String waitingFor, Instant checkAt,
            Instant deadline, int attempts, Instant now) {
        String sql = "UPDATE restore_request SET state = ?, first_status = COALESCE(first_status, ?), "
                + "queue_position = COALESCE(queue_position, (SELECT COALESCE(MAX(q.queue_position), 0) + 1 "
                + "FROM restore_request q WHERE q.instance_id = restore_request.instance_id)), "
                + "queued_at = COALESCE(queued_at, ?), queue_deadline = COALESCE(queue_deadline, ?), "
                + "queue_place = (SELECT COUNT(*) + 1 FROM restore_request q WHERE q.instance_id = restore_request.instance_id "
                + "AND q.state = ? AND q.request_id <> restore_request.request_id), "
                + "waiting_for = ?, queue_check_at = ?, attempts = ?, lease_owner = NULL, lease_token = NULL, "
                + "lease_until = NULL, updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ?";
        // A place is one request's (a unique index): of two requests of one instance parked at the same moment,
        // the one that lost the place takes the next.
        for (int round = 1; ; round++) {
            try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, LedgerState.QUEUED.name(), LedgerState.QUEUED.name(), time(now), time(deadline),
                        LedgerState.QUEUED.name(), truncate(waitingFor, 512), time(checkAt), attempts, time(now),
                        requestId, LedgerState.SUBMITTING.name(), leaseToken);
                return s.executeUpdate() == 1 ? db.find(requestId) : Optional.empty();
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new LedgerException("could not put request " + requestId + " in its instance's line", e);
                }
                if (round == CLAIM_ROUNDS) {
                    throw new LedgerException("the place in line of " + requestId + " kept being taken", e, true);
                }
            }
        }
    }

    @Override
    public List<LedgerEntry> queueHeads(Instant now, boolean jobsCount, int limit) {
        String[] working = workingStates(jobsCount);
        String sql = "SELECT " + COLUMNS + " FROM restore_request r WHERE state = ? AND queue_position = "
                + "(SELECT MIN(q.queue_position) FROM restore_request q WHERE q.instance_id = r.instance_id AND q.state = ?) "
                + "AND (queue_check_at IS NULL OR queue_check_at <= ?) "
                + "AND NOT EXISTS (SELECT 1 FROM restore_request w WHERE w.instance_id = r.instance_id "
                + "AND w.state IN (?, ?, ?)) "
                + "ORDER BY queued_at LIMIT ?";
        return db.list(sql, LedgerState.QUEUED.name(), LedgerState.QUEUED.name(), time(now),
                working[0], working[1], working[2], limit);
    }

    /**
     * The states of a request that occupy its instance: being sent, and (when {@code jobsCount}) a job started;
     * three names, repeated where a state does not count, for an {@code IN (?, ?, ?)}.
     */
    private static String[] workingStates(boolean jobsCount) {
        String job = jobsCount ? LedgerState.SUBMITTED.name() : LedgerState.SUBMITTING.name();
        String running = jobsCount ? LedgerState.RUNNING.name() : LedgerState.SUBMITTING.name();
        return new String[] {LedgerState.SUBMITTING.name(), job, running};
    }

    @Override
    public boolean instanceWorking(String instanceId, boolean jobsCount) {
        String[] working = workingStates(jobsCount);
        return db.count("SELECT COUNT(*) FROM restore_request WHERE instance_id = ? AND state IN (?, ?, ?)",
                instanceId, working[0], working[1], working[2]) > 0;
    }

    @Override
    public Optional<LedgerEntry> takeFromQueue(String requestId, boolean jobsCount, Instant now) {
        String[] working = workingStates(jobsCount);
        String token = eventId();
        // One statement decides: the request is its line's head, its QUEUED is out, and nothing of its instance is
        // being sent (or, when jobs count, running). With places unique, two takers of one instance cannot both win.
        int changed = db.claimingWrite(requestId, token, () -> db.execute("UPDATE restore_request SET state = ?, "
                        + "lease_owner = ?, lease_token = ?, lease_until = ?, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND first_result_published = ? "
                        + "AND queue_position = (SELECT MIN(q.queue_position) FROM restore_request q "
                        + "WHERE q.instance_id = restore_request.instance_id AND q.state = ?) "
                        + "AND NOT EXISTS (SELECT 1 FROM restore_request w WHERE w.instance_id = restore_request.instance_id "
                        + "AND w.state IN (?, ?, ?))",
                LedgerState.SUBMITTING.name(), owner, token, time(now.plus(lease)), time(now), requestId,
                LedgerState.QUEUED.name(), true, LedgerState.QUEUED.name(), working[0], working[1], working[2]));
        return changed == 1 ? Optional.of(db.readBack(requestId, token)) : Optional.empty();
    }

    @Override
    public boolean backInLine(String requestId, String leaseToken, Instant now) {
        return db.execute("UPDATE restore_request SET state = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ? AND first_status = ? "
                        + "AND queue_position IS NOT NULL",
                LedgerState.QUEUED.name(), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken,
                LedgerState.QUEUED.name()) == 1;
    }

    @Override
    public void recheckLater(String requestId, Instant checkAt) {
        db.execute("UPDATE restore_request SET queue_check_at = ? WHERE request_id = ? AND state = ?", time(checkAt),
                requestId, LedgerState.QUEUED.name());
    }

    @Override
    public Optional<LedgerEntry> leaveQueue(String requestId, LedgerState state, String errorCode, String message,
            Instant now) {
        int changed = db.execute("UPDATE restore_request SET state = ?, error_code = ?, error_message = ?, retryable = ?, "
                        + "finished_at = ?, track_event_id = ?, track_event_published = FALSE, tracker_owner = ?, "
                        + "tracker_lease_until = ?, updated_at = ? WHERE request_id = ? AND state = ?",
                state.name(), errorCode, truncate(message), state == LedgerState.FAILED, time(now), eventId(), owner,
                time(now.plus(PUBLISH_LEASE)), time(now), requestId, LedgerState.QUEUED.name());
        if (changed != 1) {
            return Optional.empty();
        }
        LedgerEntry entry = db.require(requestId);
        db.releaseKey(entry.businessKey(), requestId);
        return Optional.of(entry);
    }

    @Override
    public List<LedgerEntry> expiredInQueue(Instant now, int limit) {
        return db.list("SELECT " + COLUMNS + " FROM restore_request WHERE state = ? AND queue_deadline <= ? LIMIT ?",
                LedgerState.QUEUED.name(), time(now), limit);
    }

    @Override
    public List<LedgerEntry> lapsedReleases(Instant now, int limit) {
        return db.list("SELECT " + COLUMNS + " FROM restore_request WHERE state = ? AND first_status = ? "
                + "AND lease_until <= ? LIMIT ?", LedgerState.SUBMITTING.name(), LedgerState.QUEUED.name(), time(now), limit);
    }

    @Override
    public long queuedCount() {
        return db.count("SELECT COUNT(*) FROM restore_request WHERE state = ?", LedgerState.QUEUED.name());
    }
}
