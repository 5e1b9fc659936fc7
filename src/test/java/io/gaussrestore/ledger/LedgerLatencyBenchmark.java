package io.gaussrestore.ledger;

import io.gaussrestore.testing.H2Files;
import io.gaussrestore.testing.Postgres;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * The ledger's added latency per request: the calls one submitted request makes (claim, lease renewal,
 * outcome, published mark), timed end to end on H2 and on PostgreSQL. Prints numbers; asserts nothing.
 * Run: ./mvnw -B -ntp test -Dtest=LedgerLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 */
class LedgerLatencyBenchmark {

    private static final int WARMUP = 300;
    private static final int REQUESTS = 2000;

    @Test
    void measure() throws Exception {
        JdbcConnectionPool h2 = H2Files.migrated("bench");
        report("H2 (file)", h2);
        h2.dispose();

        Postgres.Schema schema = Postgres.newSchema();
        try {
            DataSource pg = schema.dataSource();
            LedgerStore.migrate(pg);
            report("PostgreSQL", pooled(schema));
        } finally {
            schema.drop();
        }
    }

    private static DataSource pooled(Postgres.Schema schema) throws Exception {
        var configuration = new io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(4).minSize(1).initialSize(1)
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(schema.jdbcUrl())
                                .connectionProviderClass(org.postgresql.Driver.class)
                                .principal(new io.agroal.api.security.NamePrincipal(Postgres.user()))
                                .credential(new io.agroal.api.security.SimplePassword(Postgres.password()))));
        return io.agroal.api.AgroalDataSource.from(configuration);
    }

    private static void report(String store, DataSource dataSource) {
        IdempotencyLedger ledger = new JdbcIdempotencyLedger(dataSource, Duration.ofDays(7), Duration.ofMinutes(2), "bench");
        long[] nanos = new long[REQUESTS];
        for (int i = -WARMUP; i < REQUESTS; i++) {
            String id = "bench-" + UUID.randomUUID();
            Instant now = Instant.now();
            long start = System.nanoTime();
            Claim claim = ledger.claim(new NewRequest(id, "sha256:" + UUID.randomUUID(), "p", "i", "{}", null, null, null,
                    "bench-0@" + i, UUID.randomUUID().toString(), now), now);
            String token = ((Claim.Won) claim).entry().leaseToken();
            ledger.renewLease(id, token, now.plusSeconds(120), now);
            ledger.recordOutcome(id, token, new Outcome.Submitted("job", 1, now, now));
            ledger.markFirstResultPublished(id);
            if (i >= 0) {
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("ledger added latency per submitted request on %s over %d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                store, REQUESTS, nanos[REQUESTS / 2] / 1e6, nanos[REQUESTS * 99 / 100] / 1e6, nanos[REQUESTS - 1] / 1e6);
    }
}
