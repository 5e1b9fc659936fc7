package io.gaussrestore.ledger;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.gaussrestore.config.RestoreConfig;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Opens the ledger's store chosen by its JDBC URL (embedded H2 by default, PostgreSQL for replicas), brings
 * its schema up to date with Flyway, and closes it at shutdown.
 */
@Singleton
@Startup
public class LedgerStore {

    private static final Logger LOG = Logger.getLogger(LedgerStore.class);

    private final AgroalDataSource dataSource;
    private final JdbcIdempotencyLedger ledger;
    private final DatabaseClock clock;
    private final SessionEnds sessionEnds;

    public LedgerStore(RestoreConfig config) {
        RestoreConfig.Ledger settings = config.ledger();
        this.dataSource = open(settings);
        int applied = migrate(dataSource);
        this.ledger = new JdbcIdempotencyLedger(dataSource, settings.window(), settings.lease(),
                UUID.randomUUID().toString());
        this.sessionEnds = new SessionEnds(dataSource);
        this.clock = new DatabaseClock(dataSource, Clock.systemUTC());
        clock.synchronise();
        LOG.infof("ledger ready on %s (%d migrations applied); this machine's clock is %d ms behind the database's",
                kind(settings.jdbcUrl()), applied, clock.offset().toMillis());
    }

    @Produces
    @Singleton
    IdempotencyLedger ledger() {
        return ledger;
    }

    @Produces
    @Singleton
    SessionEnds sessionEnds() {
        return sessionEnds;
    }

    /** The clock every decision reads time from: the database's, so that replicas agree on leases and budgets. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return clock;
    }

    @Scheduled(every = "PT30S", delayed = "PT30S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void synchroniseClock() {
        clock.synchronise();
    }

    /** Applies the migrations under db/ledger; answers how many were applied now. */
    public static int migrate(javax.sql.DataSource dataSource) {
        return Flyway.configure(LedgerStore.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/ledger")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    private static AgroalDataSource open(RestoreConfig.Ledger settings) {
        String url = withStatementCache(settings.jdbcUrl());
        Class<? extends java.sql.Driver> driver = url.startsWith("jdbc:postgresql:") ? org.postgresql.Driver.class
                : url.startsWith("jdbc:h2:") ? org.h2.Driver.class : null;
        if (driver == null) {
            throw new IllegalArgumentException("restore.ledger.jdbc-url must start with jdbc:h2: or jdbc:postgresql:");
        }
        AgroalDataSourceConfigurationSupplier configuration = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool
                        .maxSize(settings.poolSize())
                        .minSize(1)
                        .initialSize(1)
                        .acquisitionTimeout(Duration.ofSeconds(10))
                        // A connection cut by the network (a database restart, a failover, a partition) is
                        // dropped at its first fatal error and found by validation, so that the pool heals by
                        // itself instead of handing out dead connections until the service restarts.
                        .exceptionSorter(driver == org.postgresql.Driver.class
                                ? new PostgreSQLExceptionSorter() : ExceptionSorter.defaultExceptionSorter())
                        .connectionValidator(ConnectionValidator.defaultValidatorWithTimeout(2))
                        .idleValidationTimeout(Duration.ofSeconds(5))
                        .validationTimeout(Duration.ofSeconds(10))
                        .connectionFactoryConfiguration(factory -> {
                            factory.jdbcUrl(url).connectionProviderClass(driver).autoCommit(true);
                            settings.username().ifPresent(user -> factory.principal(new NamePrincipal(user)));
                            settings.password().ifPresent(password -> factory.credential(new SimplePassword(password)));
                            return factory;
                        }));
        try {
            return AgroalDataSource.from(configuration);
        } catch (SQLException e) {
            throw new LedgerException("could not open the ledger at " + kind(url), e);
        }
    }

    /**
     * H2 keeps the parsed form of only 8 statements per connection unless told otherwise, fewer than the ledger
     * uses, so each call would parse its SQL again; PostgreSQL's driver caches 256 by itself. A URL that sets
     * the size keeps it.
     */
    static String withStatementCache(String url) {
        return url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("QUERY_CACHE_SIZE")
                ? url + ";QUERY_CACHE_SIZE=128"
                : url;
    }

    /** The URL without credentials or options, for log lines. */
    static String kind(String url) {
        int options = url.indexOf(';');
        int query = url.indexOf('?');
        int end = options >= 0 ? options : query >= 0 ? query : url.length();
        return url.substring(0, end);
    }

    /** The pool, for health checks and tests. */
    public AgroalDataSource dataSource() {
        return dataSource;
    }

    @PreDestroy
    void close() {
        dataSource.close();
    }
}
