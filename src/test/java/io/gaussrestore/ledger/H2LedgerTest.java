package io.gaussrestore.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract on the embedded H2 file store, the default. */
class H2LedgerTest extends IdempotencyLedgerContract {

    private static JdbcConnectionPool pool;

    @BeforeAll
    static void createStore() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "ledger-h2"));
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ledger-" + UUID.randomUUID()),
                "", "");
        pool.setMaxConnections(32);
        LedgerStore.migrate(pool);
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
