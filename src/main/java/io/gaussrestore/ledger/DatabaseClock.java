package io.gaussrestore.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * The deployment's one time: this machine's clock corrected by its offset to the ledger database's clock. Leases
 * and the shared rate budget compare times written by different replicas, so they must not depend on how well
 * each replica's clock is set. The offset is measured at start and refreshed by {@link #synchronise()}; while the
 * database does not answer, the last offset stays in use.
 */
public final class DatabaseClock extends Clock {

    private final DataSource dataSource;
    private final Clock local;
    private volatile Duration offset = Duration.ZERO;

    public DatabaseClock(DataSource dataSource, Clock local) {
        this.dataSource = dataSource;
        this.local = local;
    }

    /** Measures the offset again (half the round trip counts as the moment the database read its clock). */
    public boolean synchronise() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT CURRENT_TIMESTAMP")) {
            Instant before = local.instant();
            OffsetDateTime database;
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                database = rs.getObject(1, OffsetDateTime.class);
            }
            Instant after = local.instant();
            Instant middle = before.plus(Duration.between(before, after).dividedBy(2));
            offset = Duration.between(middle, database.toInstant());
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** How far the database's clock is ahead of this machine's. */
    public Duration offset() {
        return offset;
    }

    @Override
    public Instant instant() {
        return local.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }
}
