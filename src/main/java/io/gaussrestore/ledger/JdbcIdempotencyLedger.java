package io.gaussrestore.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The ledger on any JDBC store whose SQL is portable between H2 2.x and PostgreSQL. Each statement runs in
 * auto-commit: atomicity comes from primary keys and compare-and-set updates, not from locks held across calls.
 */
public final class JdbcIdempotencyLedger implements IdempotencyLedger {

    private static final String UNIQUE_VIOLATION = "23505";
    /**
     * Sets the first status of a request that has none yet; a request that already had its first result (it was
     * QUEUED) gets a tracking event instead, published like a job's progress. Parameters: status, event id.
     */
    /**
     * A request whose first result is out already (it was QUEUED) gets its outcome as a later result, published by
     * whoever recorded it; the tracker lease taken with it ({@link #PUBLISH_LEASE}) keeps every job tracker from
     * publishing it too meanwhile (until it is published, or the lease lapses after a crash). Parameters: the first status, the
     * event id, this owner, the lease's end.
     */
    private static final String LATER_EVENT = "first_status = COALESCE(first_status, ?), "
            + "track_event_id = CASE WHEN first_status IS NULL THEN track_event_id ELSE ? END, "
            + "track_event_published = CASE WHEN first_status IS NULL THEN track_event_published ELSE FALSE END, "
            + "tracker_owner = CASE WHEN first_status IS NULL THEN tracker_owner ELSE ? END, "
            + "tracker_lease_until = CASE WHEN first_status IS NULL THEN tracker_lease_until ELSE ? END";
    private static final int CLAIM_ROUNDS = 8;
    /**
     * How long a publisher holds a result it is publishing: a later result before any job tracker may publish it, a
     * first result before another owner of the same record may (a publish takes milliseconds; after a crash the
     * result goes out this much later, and the job's polls resume).
     */
    static final Duration PUBLISH_LEASE = Duration.ofSeconds(15);
    private static final String COLUMNS = "request_id, business_key, project_id, instance_id, state, first_status, "
            + "first_result_id, first_result_published, request_json, requested_by, reason, ticket, job_id, attempts, "
            + "error_code, error_message, error_details, http_status, retryable, duplicate_of, progress, source, "
            + "lease_owner, lease_until, received_at, submitted_at, finished_at, updated_at, job_status, next_poll_at, "
            + "polls, tracker_owner, tracker_lease_until, track_event_id, track_event_published, lease_token, first_result_json, queue_position, queued_at, queue_place, waiting_for, queue_check_at, "
            + "queue_deadline";

    private final DataSource dataSource;
    private final Duration window;
    private final Duration lease;
    private final String owner;

    /**
     * @param window how long a request and its business key are remembered
     * @param lease how long a SUBMITTING request is protected before it counts as abandoned
     * @param owner this process's identity in leases
     */
    public JdbcIdempotencyLedger(DataSource dataSource, Duration window, Duration lease, String owner) {
        this.dataSource = dataSource;
        this.window = window;
        this.lease = lease;
        this.owner = owner;
    }

    @Override
    public Claim claim(NewRequest request, Instant now) {
        Optional<Claim> repeat = insertRequest(request, LedgerState.RECEIVED, null, null, null, now, null);
        if (repeat.isPresent()) {
            return repeat.get();
        }
        return takeBusinessKey(request.requestId(), request.businessKey(), request.source(), now);
    }

    @Override
    public Claim resumeClaim(LedgerEntry received, String source, Instant now) {
        return takeBusinessKey(received.requestId(), received.businessKey(), source, now);
    }

    @Override
    public Claim recordRejected(NewRequest request, String errorCode, String violationsJson, String message,
            Instant now, String publisher) {
        return insertRequest(request, LedgerState.REJECTED, violationsJson, message, errorCode, now, publisher)
                .orElseGet(() -> new Claim.Won(require(request.requestId()), true));
    }

    @Override
    public Claim recordDryRun(NewRequest request, String outcome, String findingsJson, String message, Instant now) {
        return insertRequest(request, LedgerState.DRY_RUN, findingsJson, message, outcome, now, null)
                .orElseGet(() -> new Claim.Won(require(request.requestId())));
    }

    @Override
    public long acceptedSince(String instanceId, Instant since, String excludingRequestId) {
        return count("SELECT COUNT(*) FROM restore_request WHERE instance_id = ? AND received_at >= ? "
                + "AND request_id <> ? AND (state IN (?, ?, ?, ?, ?, ?) OR (state = ? AND job_id IS NOT NULL))",
                instanceId, time(since), excludingRequestId, LedgerState.QUEUED.name(), LedgerState.SUBMITTING.name(),
                LedgerState.SUBMITTED.name(), LedgerState.RUNNING.name(), LedgerState.COMPLETED.name(),
                LedgerState.UNKNOWN.name(), LedgerState.FAILED.name());
    }

    @Override
    public Optional<LedgerEntry> holderOf(String businessKey, Instant now) {
        return keyHolder(businessKey)
                .filter(holder -> !holder.claimedAt().isBefore(now.minus(window)))
                .flatMap(holder -> find(holder.requestId()))
                .filter(entry -> entry.state().holdsBusinessKey());
    }

    /**
     * Inserts a request; a {@code publisher} (REJECTED only) takes the first result's publication in the same
     * statement, which saves the statement that would take it next.
     */
    private Optional<Claim> insertRequest(NewRequest request, LedgerState state, String details, String message,
            String errorCode, Instant now, String publisher) {
        String sql = "INSERT INTO restore_request (request_id, business_key, project_id, instance_id, state, first_status, "
                + "first_result_id, request_json, requested_by, reason, ticket, source, error_code, error_message, "
                + "error_details, retryable, received_at, updated_at, first_publisher, first_publish_until) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            boolean rejected = state == LedgerState.REJECTED || state == LedgerState.DRY_RUN;
            s.setString(1, request.requestId());
            s.setString(2, request.businessKey());
            s.setString(3, request.projectId());
            s.setString(4, request.instanceId());
            s.setString(5, state.name());
            s.setString(6, rejected ? state.name() : null);
            s.setString(7, request.firstResultId());
            s.setString(8, request.requestJson());
            s.setString(9, request.requestedBy());
            s.setString(10, request.reason());
            s.setString(11, request.ticket());
            s.setString(12, request.source());
            s.setString(13, errorCode);
            s.setString(14, message);
            s.setString(15, details);
            if (rejected) {
                s.setBoolean(16, false);
            } else {
                s.setNull(16, Types.BOOLEAN);
            }
            s.setObject(17, time(request.receivedAt()));
            s.setObject(18, time(now));
            if (publisher == null) {
                s.setNull(19, Types.VARCHAR);
                s.setNull(20, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                s.setString(19, publisher);
                s.setObject(20, time(now.plus(PUBLISH_LEASE)));
            }
            s.executeUpdate();
            return Optional.empty();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new LedgerException("could not record request " + request.requestId(), e);
            }
        }
        LedgerEntry existing = require(request.requestId());
        if (sameSource(existing, request.source())) {
            return Optional.of(new Claim.Redelivered(existing));
        }
        // The same request, never claimed (its first record was dead-lettered or abandoned before its claim, or is
        // being claimed right now), is taken over by the record carrying it now: a replay from the dead-letter topic
        // resumes it. The request then belongs to this record alone; the one it was taken from, if still at work,
        // loses its claim and is answered as a repeat, so each record gets an answer of its own.
        boolean sameUnclaimedRequest = existing.state() == LedgerState.RECEIVED && existing.businessKey() != null
                && existing.businessKey().equals(request.businessKey());
        if (sameUnclaimedRequest && execute("UPDATE restore_request SET source = ?, updated_at = ? WHERE request_id = ? "
                        + "AND state = ? AND source = ?", request.source(), time(now), request.requestId(),
                LedgerState.RECEIVED.name(), existing.source()) == 1) {
            return Optional.of(new Claim.Redelivered(require(request.requestId())));
        }
        return Optional.of(new Claim.Repeated(existing));
    }

    /** The answer to a record that did not change a RECEIVED request: its own record again, or a repeat. */
    private Claim notChanged(String requestId, String source) {
        LedgerEntry entry = require(requestId);
        return sameSource(entry, source) ? new Claim.Redelivered(entry) : new Claim.Repeated(entry);
    }

    private static boolean sameSource(LedgerEntry entry, String source) {
        return entry.source() != null && entry.source().equals(source);
    }

    private Claim takeBusinessKey(String requestId, String businessKey, String source, Instant now) {
        for (int round = 0; round < CLAIM_ROUNDS; round++) {
            if (insertKeyClaim(businessKey, requestId, now)) {
                return startSubmitting(requestId, source, now);
            }
            Optional<KeyHolder> holder = keyHolder(businessKey);
            if (holder.isEmpty()) {
                continue; // released between our insert and our read: try again
            }
            if (holder.get().requestId().equals(requestId)) {
                return startSubmitting(requestId, source, now);
            }
            Optional<LedgerEntry> original = find(holder.get().requestId());
            boolean expired = holder.get().claimedAt().isBefore(now.minus(window));
            if (original.isEmpty() || expired || !original.get().state().holdsBusinessKey()) {
                releaseKey(businessKey, holder.get().requestId());
                continue;
            }
            LedgerEntry mine = update("UPDATE restore_request SET state = ?, first_status = ?, duplicate_of = ?, "
                    + "job_id = ?, updated_at = ? WHERE request_id = ? AND state = ? AND source = ?", requestId,
                    LedgerState.DUPLICATE.name(), LedgerState.DUPLICATE.name(), original.get().requestId(),
                    original.get().jobId(), time(now), requestId, LedgerState.RECEIVED.name(), source);
            return sameSource(mine, source)
                    ? new Claim.DuplicateOf(mine, original.get())
                    : new Claim.Repeated(mine);
        }
        throw new LedgerException("the business key of " + requestId + " kept changing hands", null, true);
    }

    private boolean insertKeyClaim(String businessKey, String requestId, Instant now) {
        String sql = "INSERT INTO business_key_claim (business_key, request_id, claimed_at) VALUES (?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, businessKey);
            s.setString(2, requestId);
            s.setObject(3, time(now));
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw new LedgerException("could not claim the business key of " + requestId, e);
        }
    }

    private record KeyHolder(String requestId, Instant claimedAt) {}

    private Optional<KeyHolder> keyHolder(String businessKey) {
        String sql = "SELECT request_id, claimed_at FROM business_key_claim WHERE business_key = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, businessKey);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new KeyHolder(rs.getString(1), instant(rs, 2)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("could not read the claim of a business key", e);
        }
    }

    private void releaseKey(String businessKey, String holder) {
        execute("DELETE FROM business_key_claim WHERE business_key = ? AND request_id = ?", businessKey, holder);
    }

    /**
     * Moves a RECEIVED request to SUBMITTING under a fresh lease token, for the record the request belongs to. Only
     * the caller whose compare-and-set changed the row wins; anyone else sees it as redelivered (a second replica
     * handed the same record) or as a repeat (a record the request was taken from).
     */
    private Claim startSubmitting(String requestId, String source, Instant now) {
        String token = UUID.randomUUID().toString();
        int changed = claimingWrite(requestId, token, () -> execute("UPDATE restore_request SET state = ?, "
                        + "lease_owner = ?, lease_token = ?, lease_until = ?, updated_at = ? WHERE request_id = ? "
                        + "AND state = ? AND source = ?",
                LedgerState.SUBMITTING.name(), owner, token, time(now.plus(lease)), time(now), requestId,
                LedgerState.RECEIVED.name(), source));
        return changed == 1 ? new Claim.Won(readBack(requestId, token)) : notChanged(requestId, source);
    }

    /**
     * A write that claims a row under this token. When it fails, the database may still have committed it (the
     * answer was lost with the connection): the failure names the token, so that its caller can recognise the row
     * as its own if it was.
     */
    private int claimingWrite(String requestId, String token, java.util.function.IntSupplier write) {
        try {
            return write.getAsInt();
        } catch (LedgerException e) {
            throw new ClaimedButUnread(requestId, token, e);
        }
    }

    /** A row just claimed under this token, read back; its failure says which token won. */
    private LedgerEntry readBack(String requestId, String token) {
        try {
            return require(requestId);
        } catch (LedgerException e) {
            throw new ClaimedButUnread(requestId, token, e);
        }
    }

    @Override
    public boolean renewLease(String requestId, String leaseToken, Instant until, Instant now) {
        return execute("UPDATE restore_request SET lease_until = ?, updated_at = ? "
                        + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                time(until), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken) == 1;
    }

    @Override
    public boolean relinquish(String requestId, String leaseToken, Instant now) {
        return execute("UPDATE restore_request SET state = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ?",
                LedgerState.RECEIVED.name(), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken) == 1;
    }

    @Override
    public Optional<LedgerEntry> recordOutcome(String requestId, String leaseToken, Outcome outcome) {
        String submitting = LedgerState.SUBMITTING.name();
        int changed;
        if (outcome instanceof Outcome.Submitted s) {
            changed = execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", job_id = ?, attempts = ?, "
                            + "submitted_at = ?, next_poll_at = ?, lease_until = NULL, updated_at = ? "
                            + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.SUBMITTED.name(), LedgerState.SUBMITTED.name(), eventId(), owner,
                    time(s.at().plus(PUBLISH_LEASE)), s.jobId(), s.attempts(),
                    time(s.at()), time(s.firstPollAt()), time(s.at()), requestId, submitting, leaseToken);
        } else if (outcome instanceof Outcome.Failed f) {
            changed = execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", attempts = ?, "
                            + "error_code = ?, error_message = ?, http_status = ?, retryable = ?, finished_at = ?, "
                            + "lease_until = NULL, updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.FAILED.name(), LedgerState.FAILED.name(), eventId(), owner, time(f.at().plus(PUBLISH_LEASE)),
                    f.attempts(), f.errorCode(),
                    truncate(f.message()), f.httpStatus(), f.retryable(), time(f.at()), time(f.at()), requestId,
                    submitting, leaseToken);
        } else {
            Outcome.Unknown u = (Outcome.Unknown) outcome;
            changed = execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", attempts = ?, error_code = ?, "
                            + "error_message = ?, lease_until = NULL, updated_at = ? "
                            + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.UNKNOWN.name(), LedgerState.UNKNOWN.name(), eventId(), owner, time(u.at().plus(PUBLISH_LEASE)),
                    u.attempts(), "OUTCOME_UNKNOWN",
                    truncate(u.message()), time(u.at()), requestId, submitting, leaseToken);
        }
        if (changed != 1) {
            return Optional.empty();
        }
        LedgerEntry entry = require(requestId);
        if (outcome instanceof Outcome.Failed) {
            releaseKey(entry.businessKey(), requestId);
        }
        return Optional.of(entry);
    }

    @Override
    public Optional<LedgerEntry> expireLease(String requestId, String message, Instant now) {
        int changed = execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", error_code = ?, "
                        + "error_message = ?, lease_until = NULL, updated_at = ? "
                        + "WHERE request_id = ? AND state = ? AND lease_until <= ?",
                LedgerState.UNKNOWN.name(), LedgerState.UNKNOWN.name(), eventId(), owner, time(now.plus(PUBLISH_LEASE)),
                "OUTCOME_UNKNOWN", truncate(message), time(now), requestId, LedgerState.SUBMITTING.name(), time(now));
        return changed == 1 ? find(requestId) : Optional.empty();
    }

    private static String eventId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public Optional<LedgerEntry> occupant(String instanceId, String requestId, boolean jobsCount) {
        String sql = "SELECT " + COLUMNS + " FROM restore_request WHERE instance_id = ? AND request_id <> ? "
                + "AND state IN (?, ?, ?, ?) ORDER BY CASE WHEN state = ? THEN 1 ELSE 0 END DESC, "
                + "queue_position DESC, received_at DESC LIMIT 1";
        String job = jobsCount ? LedgerState.SUBMITTED.name() : LedgerState.SUBMITTING.name();
        String running = jobsCount ? LedgerState.RUNNING.name() : LedgerState.SUBMITTING.name();
        return first(sql, instanceId, requestId, LedgerState.QUEUED.name(), LedgerState.SUBMITTING.name(), job,
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
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, LedgerState.QUEUED.name(), LedgerState.QUEUED.name(), time(now), time(deadline),
                        LedgerState.QUEUED.name(), truncate(waitingFor, 512), time(checkAt), attempts, time(now),
                        requestId, LedgerState.SUBMITTING.name(), leaseToken);
                return s.executeUpdate() == 1 ? find(requestId) : Optional.empty();
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
        return list(sql, LedgerState.QUEUED.name(), LedgerState.QUEUED.name(), time(now),
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
    public List<LedgerEntry> queued(String instanceId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM restore_request WHERE state = ?");
        List<Object> args = new ArrayList<>(List.of(LedgerState.QUEUED.name()));
        if (instanceId != null) {
            sql.append(" AND instance_id = ?");
            args.add(instanceId);
        }
        sql.append(" ORDER BY instance_id, queue_position LIMIT ?");
        args.add(limit);
        return list(sql.toString(), args.toArray());
    }

    @Override
    public boolean instanceWorking(String instanceId, boolean jobsCount) {
        String[] working = workingStates(jobsCount);
        return count("SELECT COUNT(*) FROM restore_request WHERE instance_id = ? AND state IN (?, ?, ?)",
                instanceId, working[0], working[1], working[2]) > 0;
    }

    @Override
    public Optional<LedgerEntry> takeFromQueue(String requestId, boolean jobsCount, Instant now) {
        String[] working = workingStates(jobsCount);
        String token = eventId();
        // One statement decides: the request is its line's head, its QUEUED is out, and nothing of its instance is
        // being sent (or, when jobs count, running). With places unique, two takers of one instance cannot both win.
        int changed = claimingWrite(requestId, token, () -> execute("UPDATE restore_request SET state = ?, "
                        + "lease_owner = ?, lease_token = ?, lease_until = ?, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND first_result_published = ? "
                        + "AND queue_position = (SELECT MIN(q.queue_position) FROM restore_request q "
                        + "WHERE q.instance_id = restore_request.instance_id AND q.state = ?) "
                        + "AND NOT EXISTS (SELECT 1 FROM restore_request w WHERE w.instance_id = restore_request.instance_id "
                        + "AND w.state IN (?, ?, ?))",
                LedgerState.SUBMITTING.name(), owner, token, time(now.plus(lease)), time(now), requestId,
                LedgerState.QUEUED.name(), true, LedgerState.QUEUED.name(), working[0], working[1], working[2]));
        return changed == 1 ? Optional.of(readBack(requestId, token)) : Optional.empty();
    }

    @Override
    public boolean backInLine(String requestId, String leaseToken, Instant now) {
        return execute("UPDATE restore_request SET state = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ? AND first_status = ? "
                        + "AND queue_position IS NOT NULL",
                LedgerState.QUEUED.name(), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken,
                LedgerState.QUEUED.name()) == 1;
    }

    @Override
    public void recheckLater(String requestId, Instant checkAt) {
        execute("UPDATE restore_request SET queue_check_at = ? WHERE request_id = ? AND state = ?", time(checkAt),
                requestId, LedgerState.QUEUED.name());
    }

    @Override
    public Optional<LedgerEntry> leaveQueue(String requestId, LedgerState state, String errorCode, String message,
            Instant now) {
        int changed = execute("UPDATE restore_request SET state = ?, error_code = ?, error_message = ?, retryable = ?, "
                        + "finished_at = ?, track_event_id = ?, track_event_published = FALSE, tracker_owner = ?, "
                        + "tracker_lease_until = ?, updated_at = ? WHERE request_id = ? AND state = ?",
                state.name(), errorCode, truncate(message), state == LedgerState.FAILED, time(now), eventId(), owner,
                time(now.plus(PUBLISH_LEASE)), time(now), requestId, LedgerState.QUEUED.name());
        if (changed != 1) {
            return Optional.empty();
        }
        LedgerEntry entry = require(requestId);
        releaseKey(entry.businessKey(), requestId);
        return Optional.of(entry);
    }

    @Override
    public List<LedgerEntry> expiredInQueue(Instant now, int limit) {
        return list("SELECT " + COLUMNS + " FROM restore_request WHERE state = ? AND queue_deadline <= ? LIMIT ?",
                LedgerState.QUEUED.name(), time(now), limit);
    }

    @Override
    public List<LedgerEntry> orphans(Instant before, Instant othersBefore, Instant now, int limit) {
        return list("SELECT " + COLUMNS + " FROM restore_request WHERE updated_at < ? AND ("
                        + "(state = ? AND business_key IS NOT NULL) "
                        + "OR (state = ? AND lease_until < ? AND (lease_owner = ? OR lease_until < ?)) "
                        + "OR (state <> ? AND first_status IS NOT NULL AND first_result_published = ? "
                        + "AND (first_publish_until IS NULL OR first_publish_until <= ?))) "
                        + "ORDER BY updated_at LIMIT ?",
                time(before), LedgerState.RECEIVED.name(), LedgerState.SUBMITTING.name(), time(before), owner,
                time(othersBefore), LedgerState.SUBMITTING.name(), false, time(now), limit);
    }

    @Override
    public List<LedgerEntry> lapsedReleases(Instant now, int limit) {
        return list("SELECT " + COLUMNS + " FROM restore_request WHERE state = ? AND first_status = ? "
                + "AND lease_until <= ? LIMIT ?", LedgerState.SUBMITTING.name(), LedgerState.QUEUED.name(), time(now), limit);
    }

    @Override
    public long queuedCount() {
        return count("SELECT COUNT(*) FROM restore_request WHERE state = ?", LedgerState.QUEUED.name());
    }

    private long count(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new LedgerException("could not count in the ledger", e);
        }
    }

    private Optional<LedgerEntry> first(String sql, Object... args) {
        List<LedgerEntry> entries = list(sql, args);
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }

    private List<LedgerEntry> list(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            List<LedgerEntry> entries = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    entries.add(entry(rs));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new LedgerException("could not read the ledger", e);
        }
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
        if (keep && execute("UPDATE restore_request SET first_result_json = ?, first_publisher = ?, "
                        + "first_publish_until = ? WHERE request_id = ? AND first_result_json IS NULL AND "
                        + FREE_TO_PUBLISH,
                resultJson, publisher, time(now.plus(PUBLISH_LEASE)), requestId, false, time(now), publisher) == 1) {
            // The usual case, one statement: nothing kept yet, so the bytes kept are these.
            return Optional.of(resultJson);
        }
        int taken = execute("UPDATE restore_request SET first_result_json = CASE WHEN ? THEN "
                        + "COALESCE(first_result_json, ?) ELSE first_result_json END, first_publisher = ?, "
                        + "first_publish_until = ? WHERE request_id = ? AND " + FREE_TO_PUBLISH,
                keep, resultJson, publisher, time(now.plus(PUBLISH_LEASE)), requestId, false, time(now), publisher);
        if (taken != 1) {
            return Optional.empty();
        }
        return Optional.of(keep ? require(requestId).firstResultJson() : resultJson);
    }

    private static final String MARK_PUBLISHED = "UPDATE restore_request SET first_result_published = ?, "
            + "first_publisher = NULL, first_publish_until = NULL WHERE request_id = ?";

    @Override
    public void markFirstResultPublished(String requestId) {
        execute(MARK_PUBLISHED, true, requestId);
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
        try (Connection c = dataSource.getConnection()) {
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

    @Override
    public Optional<LedgerEntry> find(String requestId) {
        String sql = "SELECT " + COLUMNS + " FROM restore_request WHERE request_id = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, requestId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("could not read request " + requestId, e);
        }
    }

    @Override
    public List<LedgerEntry> search(LedgerSearch search, int offset, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM restore_request WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (search.requestIdPrefix() != null) {
            // LIKE with the pattern characters escaped: an id is matched as typed.
            sql.append(" AND request_id LIKE ? ESCAPE '!'");
            args.add(search.requestIdPrefix().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        for (String[] filter : new String[][] {{"instance_id", search.instanceId()}, {"project_id", search.projectId()},
                {"requested_by", search.requestedBy()}}) {
            if (filter[1] != null) {
                sql.append(" AND ").append(filter[0]).append(" = ?");
                args.add(filter[1]);
            }
        }
        if (!search.states().isEmpty()) {
            sql.append(" AND state IN (").append(String.join(", ", java.util.Collections.nCopies(search.states().size(), "?")))
                    .append(')');
            search.states().forEach(state -> args.add(state.name()));
        }
        if (search.from() != null) {
            sql.append(" AND received_at >= ?");
            args.add(time(search.from()));
        }
        if (search.until() != null) {
            sql.append(" AND received_at < ?");
            args.add(time(search.until()));
        }
        sql.append(" ORDER BY received_at DESC, request_id DESC LIMIT ? OFFSET ?");
        args.add(limit);
        args.add(offset);
        return list(sql.toString(), args.toArray());
    }

    @Override
    public java.util.Map<LedgerState, Long> countsSince(Instant since) {
        java.util.Map<LedgerState, Long> counts = new java.util.EnumMap<>(LedgerState.class);
        String sql = "SELECT state, COUNT(*) FROM restore_request WHERE received_at >= ? GROUP BY state";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, time(since));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(LedgerState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("could not count requests", e);
        }
        return counts;
    }

    @Override
    public List<LedgerEntry> needingAttention(Instant since, int limit) {
        return list("SELECT " + COLUMNS + " FROM restore_request WHERE received_at >= ? AND (state = ? "
                        + "OR (state = ? AND retryable = ?) OR (state = ? AND error_code = ?)) "
                        + "ORDER BY received_at DESC, request_id DESC LIMIT ?",
                time(since), LedgerState.UNKNOWN.name(), LedgerState.FAILED.name(), true, LedgerState.REJECTED.name(),
                "POLICY_DENIED", limit);
    }

    @Override
    public List<LedgerEntry> recent(String instanceId, LedgerState state, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM restore_request WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (instanceId != null) {
            sql.append(" AND instance_id = ?");
            args.add(instanceId);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            args.add(state.name());
        }
        sql.append(" ORDER BY received_at DESC, request_id DESC LIMIT ?");
        args.add(limit);
        return list(sql.toString(), args.toArray());
    }

    @Override
    public int purge(Instant olderThan, int batch) {
        int claims = execute("DELETE FROM business_key_claim WHERE business_key IN "
                + "(SELECT business_key FROM business_key_claim WHERE claimed_at < ? LIMIT ?)", time(olderThan), batch);
        int requests = execute("DELETE FROM restore_request WHERE request_id IN (SELECT request_id FROM restore_request "
                + "WHERE received_at < ? AND state NOT IN (?, ?, ?) LIMIT ?)", time(olderThan),
                LedgerState.SUBMITTING.name(), LedgerState.RUNNING.name(), LedgerState.QUEUED.name(), batch);
        return claims + requests;
    }

    @Override
    public List<LedgerEntry> claimDueJobs(Instant now, Instant dueBy, Duration trackingLease, int limit) {
        String sql = "SELECT request_id FROM restore_request WHERE "
                + "((state IN (?, ?) AND first_result_published = ? AND next_poll_at <= ?) OR track_event_published = ?) "
                + "AND (tracker_lease_until IS NULL OR tracker_lease_until <= ?) ORDER BY next_poll_at LIMIT ?";
        List<String> candidates = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
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
            int won = execute("UPDATE restore_request SET tracker_owner = ?, tracker_lease_until = ? WHERE request_id = ? "
                            + "AND (tracker_lease_until IS NULL OR tracker_lease_until <= ?)",
                    owner, time(now.plus(trackingLease)), requestId, time(now));
            if (won == 1) {
                find(requestId).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    @Override
    public Optional<LedgerEntry> recordTracking(String requestId, TrackingUpdate update, Instant now) {
        boolean publish = update.eventId() != null;
        int changed = execute("UPDATE restore_request SET state = ?, job_status = ?, progress = ?, finished_at = ?, "
                        + "error_code = COALESCE(?, error_code), error_message = COALESCE(?, error_message), "
                        + "next_poll_at = ?, polls = polls + 1, "
                        // Kept while the result it found is published, so that no other tracker publishes it too.
                        + "tracker_lease_until = CASE WHEN ? THEN tracker_lease_until ELSE NULL END, "
                        + "track_event_id = COALESCE(?, track_event_id), track_event_published = ?, updated_at = ? "
                        + "WHERE request_id = ? AND tracker_owner = ? AND tracker_lease_until > ?",
                update.state().name(), update.jobStatus(), update.progress(), time(update.finishedAt()),
                update.errorCode(), truncate(update.errorMessage()), time(update.nextPollAt()), publish, update.eventId(),
                !publish, time(now), requestId, owner, time(now));
        return changed == 1 ? find(requestId) : Optional.empty();
    }

    @Override
    public void markTrackingPublished(String requestId, String eventId) {
        // The lease taken to publish it is given back: the job's polls go on.
        execute("UPDATE restore_request SET track_event_published = ?, tracker_lease_until = CASE WHEN tracker_owner = ? "
                + "THEN NULL ELSE tracker_lease_until END WHERE request_id = ? AND track_event_id = ?",
                true, owner, requestId, eventId);
    }

    @Override
    public long jobsInFlight() {
        return count("SELECT COUNT(*) FROM restore_request WHERE state IN (?, ?)", LedgerState.SUBMITTED.name(),
                LedgerState.RUNNING.name());
    }

    @Override
    public Optional<Instant> oldestJobSubmittedAt() {
        String sql = "SELECT MIN(submitted_at) FROM restore_request WHERE state IN (?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, LedgerState.SUBMITTED.name(), LedgerState.RUNNING.name());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(instant(rs, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("could not read the oldest job in flight", e);
        }
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public Duration lease() {
        return lease;
    }

    @Override
    public boolean ping() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    private LedgerEntry require(String requestId) {
        return find(requestId).orElseThrow(() -> new LedgerException("request " + requestId + " vanished", null));
    }

    private LedgerEntry update(String sql, String requestId, Object... args) {
        execute(sql, args);
        return require(requestId);
    }

    private int execute(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("ledger statement failed", e);
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, arg);
            }
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static String truncate(String text) {
        return truncate(text, 4000);
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
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

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
