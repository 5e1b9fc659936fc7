package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.COLUMNS;
import static io.gaussrestore.ledger.LedgerRows.bind;
import static io.gaussrestore.ledger.LedgerRows.time;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The ledger's read side on JDBC: one request, recent ones, a search, counts. */
record JdbcLedgerReads(LedgerJdbc db, Duration window) implements LedgerReads {

    @Override
    public Optional<LedgerEntry> find(String requestId) {
        return db.find(requestId);
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
        return db.list(sql.toString(), args.toArray());
    }

    @Override
    public java.util.Map<LedgerState, Long> countsSince(Instant since) {
        java.util.Map<LedgerState, Long> counts = new java.util.EnumMap<>(LedgerState.class);
        String sql = "SELECT state, COUNT(*) FROM restore_request WHERE received_at >= ? GROUP BY state";
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
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
        return db.list("SELECT " + COLUMNS + " FROM restore_request WHERE received_at >= ? AND (state = ? "
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
        return db.list(sql.toString(), args.toArray());
    }

    @Override
    public Optional<LedgerEntry> holderOf(String businessKey, Instant now) {
        return db.keyHolder(businessKey)
                .filter(holder -> !holder.claimedAt().isBefore(now.minus(window)))
                .flatMap(holder -> db.find(holder.requestId()))
                .filter(entry -> entry.state().holdsBusinessKey());
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
        return db.list(sql.toString(), args.toArray());
    }

    @Override
    public long acceptedSince(String instanceId, Instant since, String excludingRequestId) {
        return db.count("SELECT COUNT(*) FROM restore_request WHERE instance_id = ? AND received_at >= ? "
                + "AND request_id <> ? AND (state IN (?, ?, ?, ?, ?, ?) OR (state = ? AND job_id IS NOT NULL))",
                instanceId, time(since), excludingRequestId, LedgerState.QUEUED.name(), LedgerState.SUBMITTING.name(),
                LedgerState.SUBMITTED.name(), LedgerState.RUNNING.name(), LedgerState.COMPLETED.name(),
                LedgerState.UNKNOWN.name(), LedgerState.FAILED.name());
    }
}
