package io.gaussrestore.ledger;

import io.gaussrestore.testing.H2Files;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract on the embedded H2 file store, the default. */
class H2LedgerTest extends IdempotencyLedgerContract {

    private static JdbcConnectionPool pool;

    @BeforeAll
    static void createStore() throws Exception {
        pool = H2Files.migrated("ledger");
    }

    @AfterAll
    static void closeStore() {
        pool.dispose();
    }

    @Override
    DataSource dataSource() {
        return pool;
    }
}
