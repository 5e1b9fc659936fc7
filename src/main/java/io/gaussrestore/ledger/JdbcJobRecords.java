package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.bind;
import static io.gaussrestore.ledger.LedgerRows.instant;
import static io.gaussrestore.ledger.LedgerRows.time;
import static io.gaussrestore.ledger.LedgerRows.truncate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The jobs being followed, on JDBC: who polls each one next, and what the polls found. */
record JdbcJobRecords(LedgerJdbc db, String owner) implements JobRecords {

    @Override
    public List<LedgerEntry> claimDueJobs(Instant now, Instant dueBy, Duration trackingLease, int limit) {
        String sql = "SELECT request_id FROM restore_request WHERE "
                + "((state IN (?, ?) AND first_result_published = ? AND next_poll_at <= ?) OR track_event_published = ?) "
                + "AND (tracker_lease_until IS NULL OR tracker_lease_until <= ?) ORDER BY next_poll_at LIMIT ?";
        List<String> candidates = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, LedgerState.SUBMITTED.name(), LedgerState.RUNNING.name(), true, time(dueBy), false, time(now), limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("could not list jobs due for a poll", e);
        }
        List<LedgerEntry> claimed = new ArrayList<>();
        for (String requestId : candidates) {
            // Compare-and-set: of several trackers racing for a job, exactly one changes the row.
            int won = db.execute("UPDATE restore_request SET tracker_owner = ?, tracker_lease_until = ? WHERE request_id = ? "
                            + "AND (tracker_lease_until IS NULL OR tracker_lease_until <= ?)",
                    owner, time(now.plus(trackingLease)), requestId, time(now));
            if (won == 1) {
                db.find(requestId).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    @Override
    public Optional<LedgerEntry> recordTracking(String requestId, TrackingUpdate update, Instant now) {
        boolean publish = update.eventId() != null;
        int changed = db.execute("UPDATE restore_request SET state = ?, job_status = ?, progress = ?, finished_at = ?, "
                        + "error_code = COALESCE(?, error_code), error_message = COALESCE(?, error_message), "
                        + "next_poll_at = ?, polls = polls + 1, "
                        // Kept while the result it found is published, so that no other tracker publishes it too.
                        + "tracker_lease_until = CASE WHEN ? THEN tracker_lease_until ELSE NULL END, "
                        + "track_event_id = COALESCE(?, track_event_id), track_event_published = ?, updated_at = ? "
                        + "WHERE request_id = ? AND tracker_owner = ? AND tracker_lease_until > ?",
                update.state().name(), update.jobStatus(), update.progress(), time(update.finishedAt()),
                update.errorCode(), truncate(update.errorMessage()), time(update.nextPollAt()), publish, update.eventId(),
                !publish, time(now), requestId, owner, time(now));
        return changed == 1 ? db.find(requestId) : Optional.empty();
    }

    @Override
    public void markTrackingPublished(String requestId, String eventId) {
        // The lease taken to publish it is given back: the job's polls go on.
        db.execute("UPDATE restore_request SET track_event_published = ?, tracker_lease_until = CASE WHEN tracker_owner = ? "
                + "THEN NULL ELSE tracker_lease_until END WHERE request_id = ? AND track_event_id = ?",
                true, owner, requestId, eventId);
    }

    @Override
    public long jobsInFlight() {
        return db.count("SELECT COUNT(*) FROM restore_request WHERE state IN (?, ?)", LedgerState.SUBMITTED.name(),
                LedgerState.RUNNING.name());
    }

    @Override
    public Optional<Instant> oldestJobSubmittedAt() {
        String sql = "SELECT MIN(submitted_at) FROM restore_request WHERE state IN (?, ?)";
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, LedgerState.SUBMITTED.name(), LedgerState.RUNNING.name());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(instant(rs, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("could not read the oldest job in flight", e);
        }
    }
}
