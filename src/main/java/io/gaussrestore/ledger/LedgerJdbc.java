package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.COLUMNS;
import static io.gaussrestore.ledger.LedgerRows.bind;
import static io.gaussrestore.ledger.LedgerRows.entry;
import static io.gaussrestore.ledger.LedgerRows.instant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The statements every part of the ledger shares, each in auto-commit on one connection of the pool: atomicity
 * comes from primary keys and compare-and-set updates, not from locks held across calls.
 */
final class LedgerJdbc {

    private final DataSource dataSource;

    LedgerJdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    void releaseKey(String businessKey, String holder) {
        execute("DELETE FROM business_key_claim WHERE business_key = ? AND request_id = ?", businessKey, holder);
    }

    /**
     * A write that claims a row under this token. When it fails, the database may still have committed it (the
     * answer was lost with the connection): the failure names the token, so that its caller can recognise the row
     * as its own if it was.
     */
    int claimingWrite(String requestId, String token, java.util.function.IntSupplier write) {
        try {
            return write.getAsInt();
        } catch (LedgerException e) {
            throw new ClaimedButUnread(requestId, token, e);
        }
    }

    /** A row just claimed under this token, read back; its failure says which token won. */
    LedgerEntry readBack(String requestId, String token) {
        try {
            return require(requestId);
        } catch (LedgerException e) {
            throw new ClaimedButUnread(requestId, token, e);
        }
    }

    long count(String sql, Object... args) {
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

    Optional<LedgerEntry> first(String sql, Object... args) {
        List<LedgerEntry> entries = list(sql, args);
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }

    List<LedgerEntry> list(String sql, Object... args) {
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

    Optional<LedgerEntry> find(String requestId) {
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

    boolean ping() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    LedgerEntry require(String requestId) {
        return find(requestId).orElseThrow(() -> new LedgerException("request " + requestId + " vanished", null));
    }

    LedgerEntry update(String sql, String requestId, Object... args) {
        execute(sql, args);
        return require(requestId);
    }

    int execute(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("ledger statement failed", e);
        }
    }

    record KeyHolder(String requestId, Instant claimedAt) {}

    Optional<KeyHolder> keyHolder(String businessKey) {
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
}
