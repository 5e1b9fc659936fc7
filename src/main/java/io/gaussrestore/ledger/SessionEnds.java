package io.gaussrestore.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Console sessions ended before their time, kept in the ledger's store so that every replica refuses a session
 * from the moment its owner signs out. A row lives until the session would have ended anyway.
 */
public final class SessionEnds {

    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public SessionEnds(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Ends the session with this id now; ending it again changes nothing. */
    public void end(String sessionId, Instant now, Instant expiresAt) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO console_session_end (session_id, ended_at, expires_at) VALUES (?, ?, ?)")) {
            s.setString(1, sessionId);
            s.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            s.setObject(3, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC));
            s.executeUpdate();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new LedgerException("could not end a console session", e);
            }
        }
    }

    /** Whether the session with this id was ended. */
    public boolean ended(String sessionId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT 1 FROM console_session_end WHERE session_id = ?")) {
            s.setString(1, sessionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new LedgerException("could not check a console session", e);
        }
    }

    /** Forgets sessions that would have ended by themselves before this instant; answers how many. */
    public int purge(Instant before) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM console_session_end WHERE expires_at < ?")) {
            s.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("could not purge ended console sessions", e);
        }
    }
}
