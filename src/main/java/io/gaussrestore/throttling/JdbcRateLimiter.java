package io.gaussrestore.throttling;

import io.gaussrestore.cloud.Operation;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.ledger.LedgerStore;
import io.gaussrestore.metrics.RestoreMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Token buckets kept in the ledger's database, one row per project and operation, so that every replica draws on
 * the same budget and polls never spend the restore POSTs' budget. Each reservation is one short transaction that
 * locks its row.
 */
@ApplicationScoped
public class JdbcRateLimiter implements RateLimiter {

    private static final Logger LOG = Logger.getLogger(JdbcRateLimiter.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final java.util.function.Function<Operation, TokenBucket.Rules> rules;
    private final RestoreMetrics metrics;
    private final Clock clock;

    @jakarta.inject.Inject
    public JdbcRateLimiter(LedgerStore store, RestoreConfig config, RestoreMetrics metrics, Clock clock) {
        this(store.dataSource(), rules(config.throttling()), metrics, clock);
    }

    JdbcRateLimiter(DataSource dataSource, TokenBucket.Rules rules, RestoreMetrics metrics, Clock clock) {
        this(dataSource, operation -> rules, metrics, clock);
    }

    private JdbcRateLimiter(DataSource dataSource, java.util.function.Function<Operation, TokenBucket.Rules> rules,
            RestoreMetrics metrics, Clock clock) {
        this.dataSource = dataSource;
        this.rules = rules;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Restore POSTs get the configured rate; the reading calls each get the read rate (by default the same). */
    static java.util.function.Function<Operation, TokenBucket.Rules> rules(RestoreConfig.Throttling config) {
        TokenBucket.Rules restores = new TokenBucket.Rules(config.ratePerMinute(), config.burst(), config.floorPerMinute());
        TokenBucket.Rules reads = new TokenBucket.Rules(config.readRatePerMinute().orElse(config.ratePerMinute()),
                config.burst(), config.floorPerMinute());
        return operation -> operation == Operation.RESTORE ? restores : reads;
    }

    /**
     * Reserves a token and waits for it; if a 429 slowed the project down meanwhile, the reservation (made at the
     * old rate) is void and the call queues again, so that a wrong limit does not empty a queue of 429s.
     */
    @Override
    public Uni<Void> acquire(String projectId, Operation operation) {
        TokenBucket.Rules rule = rules.apply(operation);
        return Uni.createFrom().item(() -> update(projectId, operation, rule, (bucket, now) -> bucket.reserve(rule, now)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(reservation -> {
                    Duration wait = reservation.delay();
                    metrics.rateLimitWait(wait);
                    // Timers take whole milliseconds; a shorter wait is no wait.
                    if (wait.toMillis() < 1) {
                        return Uni.createFrom().voidItem();
                    }
                    Instant stamp = reservation.bucket().lastThrottledAt();
                    return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                            .chain(() -> Uni.createFrom().item(() -> lastThrottled(projectId, operation))
                                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                            .chain(current -> java.util.Objects.equals(stamp, current.orElse(null))
                                    ? Uni.createFrom().voidItem()
                                    : acquire(projectId, operation));
                });
    }

    private java.util.Optional<Instant> lastThrottled(String projectId, Operation operation) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT last_throttled_at FROM rate_budget WHERE project_id = ? AND operation = ?")) {
            s.setString(1, projectId);
            s.setString(2, operation.label());
            try (ResultSet rs = s.executeQuery()) {
                OffsetDateTime value = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                return java.util.Optional.ofNullable(value).map(OffsetDateTime::toInstant);
            }
        } catch (SQLException e) {
            throw new LedgerException("the rate budget of project " + projectId + " could not be read", e);
        }
    }

    @Override
    public void throttled(String projectId, Operation operation, String message, String retryAfter) {
        TokenBucket.Rules rule = rules.apply(operation);
        java.util.Optional<GatewayLimit.Stated> stated = GatewayLimit.stated(message);
        java.util.OptionalLong seconds = io.gaussrestore.cloud.Backoff.retryAfterSeconds(retryAfter);
        java.util.Optional<Duration> pause = seconds.isPresent()
                ? java.util.Optional.of(Duration.ofSeconds(seconds.getAsLong()))
                : java.util.Optional.empty();
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            TokenBucket.Reservation after = update(projectId, operation, rule,
                    (bucket, now) -> new TokenBucket.Reservation(bucket.throttled(rule, now, stated, pause), Duration.ZERO));
            LOG.infof("429 for %s calls of project %s: their budget is now %.1f calls a minute", operation.label(),
                    projectId, after.bucket().ratePerMinute());
        });
    }

    private TokenBucket.Reservation update(String projectId, Operation operation, TokenBucket.Rules rule,
            BiFunction<TokenBucket, Instant, TokenBucket.Reservation> change) {
        String op = operation.label();
        for (int round = 0; round < 3; round++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Instant now = clock.instant();
                    TokenBucket bucket = lock(c, projectId, op);
                    if (bucket == null) {
                        insert(c, projectId, op, TokenBucket.fresh(rule, now));
                        bucket = lock(c, projectId, op);
                    }
                    TokenBucket.Reservation reservation = change.apply(bucket, now);
                    store(c, projectId, op, reservation.bucket());
                    c.commit();
                    return reservation;
                } catch (SQLException e) {
                    c.rollback();
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new LedgerException("the rate budget of project " + projectId + " could not be read", e);
            }
        }
        throw new LedgerException("the rate budget of project " + projectId + " kept changing", null);
    }

    private static TokenBucket lock(Connection c, String projectId, String operation) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT tokens, rate_per_minute, updated_at, last_throttled_at, "
                + "ceiling_per_minute, token_cap FROM rate_budget WHERE project_id = ? AND operation = ? FOR UPDATE")) {
            s.setString(1, projectId);
            s.setString(2, operation);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                OffsetDateTime throttled = rs.getObject(4, OffsetDateTime.class);
                return new TokenBucket(rs.getDouble(1), rs.getDouble(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                        throttled == null ? null : throttled.toInstant(), rs.getDouble(5), rs.getDouble(6));
            }
        }
    }

    private static void insert(Connection c, String projectId, String operation, TokenBucket bucket) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO rate_budget (project_id, operation, tokens, "
                + "rate_per_minute, updated_at, last_throttled_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, projectId);
            s.setString(2, operation);
            s.setDouble(3, bucket.tokens());
            s.setDouble(4, bucket.ratePerMinute());
            s.setObject(5, bucket.updatedAt().atOffset(ZoneOffset.UTC));
            s.setObject(6, null);
            s.executeUpdate();
        }
    }

    private static void store(Connection c, String projectId, String operation, TokenBucket bucket) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE rate_budget SET tokens = ?, rate_per_minute = ?, "
                + "updated_at = ?, last_throttled_at = ?, ceiling_per_minute = ?, token_cap = ? "
                + "WHERE project_id = ? AND operation = ?")) {
            s.setDouble(1, bucket.tokens());
            s.setDouble(2, bucket.ratePerMinute());
            s.setObject(3, bucket.updatedAt().atOffset(ZoneOffset.UTC));
            s.setObject(4, bucket.lastThrottledAt() == null ? null : bucket.lastThrottledAt().atOffset(ZoneOffset.UTC));
            s.setDouble(5, bucket.ceilingPerMinute());
            s.setDouble(6, bucket.tokenCap());
            s.setString(7, projectId);
            s.setString(8, operation);
            s.executeUpdate();
        }
    }

    @Override
    public java.util.List<Budget> budgets() {
        java.util.List<Budget> budgets = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT project_id, operation, tokens, rate_per_minute, "
                        + "ceiling_per_minute, last_throttled_at FROM rate_budget ORDER BY project_id, operation LIMIT 500");
                ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                String label = rows.getString(2);
                Operation operation = java.util.Arrays.stream(Operation.values()).filter(o -> o.label().equals(label))
                        .findFirst().orElse(null);
                if (operation == null) {
                    continue;
                }
                java.time.OffsetDateTime throttled = rows.getObject(6, java.time.OffsetDateTime.class);
                budgets.add(new Budget(rows.getString(1), operation, rows.getDouble(3), rows.getDouble(4),
                        rows.getDouble(5), throttled == null ? null : throttled.toInstant()));
            }
        } catch (SQLException e) {
            throw new io.gaussrestore.ledger.LedgerException("could not read the rate budgets", e);
        }
        return budgets;
    }
}
