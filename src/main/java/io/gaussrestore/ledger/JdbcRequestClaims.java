package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.CLAIM_ROUNDS;
import static io.gaussrestore.ledger.LedgerRows.COLUMNS;
import static io.gaussrestore.ledger.LedgerRows.PUBLISH_LEASE;
import static io.gaussrestore.ledger.LedgerRows.UNIQUE_VIOLATION;
import static io.gaussrestore.ledger.LedgerRows.eventId;
import static io.gaussrestore.ledger.LedgerRows.time;
import static io.gaussrestore.ledger.LedgerRows.truncate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Requests and their business keys on JDBC: claims, leases and outcomes. */
record JdbcRequestClaims(LedgerJdbc db, Duration window, Duration lease, String owner) implements RequestClaims {

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public Duration lease() {
        return lease;
    }

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
                .orElseGet(() -> new Claim.Won(db.require(request.requestId()), true));
    }

    @Override
    public Claim recordDryRun(NewRequest request, String outcome, String findingsJson, String message, Instant now) {
        return insertRequest(request, LedgerState.DRY_RUN, findingsJson, message, outcome, now, null)
                .orElseGet(() -> new Claim.Won(db.require(request.requestId())));
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
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
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
        LedgerEntry existing = db.require(request.requestId());
        if (sameSource(existing, request.source())) {
            return Optional.of(new Claim.Redelivered(existing));
        }
        // The same request, never claimed (its first record was dead-lettered or abandoned before its claim, or is
        // being claimed right now), is taken over by the record carrying it now: a replay from the dead-letter topic
        // resumes it. The request then belongs to this record alone; the one it was taken from, if still at work,
        // loses its claim and is answered as a repeat, so each record gets an answer of its own.
        boolean sameUnclaimedRequest = existing.state() == LedgerState.RECEIVED && existing.businessKey() != null
                && existing.businessKey().equals(request.businessKey());
        if (sameUnclaimedRequest && db.execute("UPDATE restore_request SET source = ?, updated_at = ? WHERE request_id = ? "
                        + "AND state = ? AND source = ?", request.source(), time(now), request.requestId(),
                LedgerState.RECEIVED.name(), existing.source()) == 1) {
            // Read back, the request may already have been taken over again by yet another record: then this one
            // is a repeat like the rest, not the record the request belongs to.
            return Optional.of(notChanged(request.requestId(), request.source()));
        }
        return Optional.of(new Claim.Repeated(existing));
    }

    /** The answer to a record that did not change a RECEIVED request: its own record again, or a repeat. */
    private Claim notChanged(String requestId, String source) {
        LedgerEntry entry = db.require(requestId);
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
            Optional<LedgerJdbc.KeyHolder> holder = db.keyHolder(businessKey);
            if (holder.isEmpty()) {
                continue; // released between our insert and our read: try again
            }
            if (holder.get().requestId().equals(requestId)) {
                return startSubmitting(requestId, source, now);
            }
            Optional<LedgerEntry> original = db.find(holder.get().requestId());
            boolean expired = holder.get().claimedAt().isBefore(now.minus(window));
            if (original.isEmpty() || expired || !original.get().state().holdsBusinessKey()) {
                db.releaseKey(businessKey, holder.get().requestId());
                continue;
            }
            LedgerEntry mine = db.update("UPDATE restore_request SET state = ?, first_status = ?, duplicate_of = ?, "
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
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
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

    /**
     * Moves a RECEIVED request to SUBMITTING under a fresh lease token, for the record the request belongs to. Only
     * the caller whose compare-and-set changed the row wins; anyone else sees it as redelivered (a second replica
     * handed the same record) or as a repeat (a record the request was taken from).
     */
    private Claim startSubmitting(String requestId, String source, Instant now) {
        String token = UUID.randomUUID().toString();
        int changed = db.claimingWrite(requestId, token, () -> db.execute("UPDATE restore_request SET state = ?, "
                        + "lease_owner = ?, lease_token = ?, lease_until = ?, updated_at = ? WHERE request_id = ? "
                        + "AND state = ? AND source = ?",
                LedgerState.SUBMITTING.name(), owner, token, time(now.plus(lease)), time(now), requestId,
                LedgerState.RECEIVED.name(), source));
        return changed == 1 ? new Claim.Won(db.readBack(requestId, token)) : notChanged(requestId, source);
    }

    @Override
    public boolean renewLease(String requestId, String leaseToken, Instant until, Instant now) {
        return db.execute("UPDATE restore_request SET lease_until = ?, updated_at = ? "
                        + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                time(until), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken) == 1;
    }

    @Override
    public boolean relinquish(String requestId, String leaseToken, Instant now) {
        return db.execute("UPDATE restore_request SET state = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL, "
                        + "updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ?",
                LedgerState.RECEIVED.name(), time(now), requestId, LedgerState.SUBMITTING.name(), leaseToken) == 1;
    }

    @Override
    public Optional<LedgerEntry> recordOutcome(String requestId, String leaseToken, Outcome outcome) {
        String submitting = LedgerState.SUBMITTING.name();
        int changed;
        if (outcome instanceof Outcome.Submitted s) {
            changed = db.execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", job_id = ?, attempts = ?, "
                            + "submitted_at = ?, next_poll_at = ?, lease_until = NULL, updated_at = ? "
                            + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.SUBMITTED.name(), LedgerState.SUBMITTED.name(), eventId(), owner,
                    time(s.at().plus(PUBLISH_LEASE)), s.jobId(), s.attempts(),
                    time(s.at()), time(s.firstPollAt()), time(s.at()), requestId, submitting, leaseToken);
        } else if (outcome instanceof Outcome.Failed f) {
            changed = db.execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", attempts = ?, "
                            + "error_code = ?, error_message = ?, http_status = ?, retryable = ?, finished_at = ?, "
                            + "lease_until = NULL, updated_at = ? WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.FAILED.name(), LedgerState.FAILED.name(), eventId(), owner, time(f.at().plus(PUBLISH_LEASE)),
                    f.attempts(), f.errorCode(),
                    truncate(f.message()), f.httpStatus(), f.retryable(), time(f.at()), time(f.at()), requestId,
                    submitting, leaseToken);
        } else {
            Outcome.Unknown u = (Outcome.Unknown) outcome;
            changed = db.execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", attempts = ?, error_code = ?, "
                            + "error_message = ?, lease_until = NULL, updated_at = ? "
                            + "WHERE request_id = ? AND state = ? AND lease_token = ?",
                    LedgerState.UNKNOWN.name(), LedgerState.UNKNOWN.name(), eventId(), owner, time(u.at().plus(PUBLISH_LEASE)),
                    u.attempts(), "OUTCOME_UNKNOWN",
                    truncate(u.message()), time(u.at()), requestId, submitting, leaseToken);
        }
        if (changed != 1) {
            return Optional.empty();
        }
        LedgerEntry entry = db.require(requestId);
        if (outcome instanceof Outcome.Failed) {
            db.releaseKey(entry.businessKey(), requestId);
        }
        return Optional.of(entry);
    }

    @Override
    public Optional<LedgerEntry> expireLease(String requestId, String message, Instant now) {
        int changed = db.execute("UPDATE restore_request SET state = ?, " + LATER_EVENT + ", error_code = ?, "
                        + "error_message = ?, lease_until = NULL, updated_at = ? "
                        + "WHERE request_id = ? AND state = ? AND lease_until <= ?",
                LedgerState.UNKNOWN.name(), LedgerState.UNKNOWN.name(), eventId(), owner, time(now.plus(PUBLISH_LEASE)),
                "OUTCOME_UNKNOWN", truncate(message), time(now), requestId, LedgerState.SUBMITTING.name(), time(now));
        return changed == 1 ? db.find(requestId) : Optional.empty();
    }

    @Override
    public List<LedgerEntry> orphans(Instant before, Instant othersBefore, Instant now, int limit) {
        return db.list("SELECT " + COLUMNS + " FROM restore_request WHERE updated_at < ? AND ("
                        + "(state = ? AND business_key IS NOT NULL) "
                        + "OR (state = ? AND lease_until < ? AND (lease_owner = ? OR lease_until < ?)) "
                        + "OR (state <> ? AND first_status IS NOT NULL AND first_result_published = ? "
                        + "AND (first_publish_until IS NULL OR first_publish_until <= ?))) "
                        + "ORDER BY updated_at LIMIT ?",
                time(before), LedgerState.RECEIVED.name(), LedgerState.SUBMITTING.name(), time(before), owner,
                time(othersBefore), LedgerState.SUBMITTING.name(), false, time(now), limit);
    }
}
