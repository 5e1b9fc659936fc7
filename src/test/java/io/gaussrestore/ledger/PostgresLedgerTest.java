package io.gaussrestore.ledger;

import io.gaussrestore.testing.Postgres;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract on a real PostgreSQL, the store for several replicas. */
class PostgresLedgerTest extends IdempotencyLedgerContract {

    private static Postgres.Schema schema;

    @BeforeAll
    static void createStore() {
        schema = Postgres.newSchema();
        LedgerStore.migrate(schema.dataSource());
    }

    @AfterAll
    static void dropStore() {
        schema.drop();
    }

    @Override
    DataSource dataSource() {
        return schema.dataSource();
    }
}
