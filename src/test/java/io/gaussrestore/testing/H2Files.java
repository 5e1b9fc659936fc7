package io.gaussrestore.testing;

import io.gaussrestore.ledger.LedgerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;

/** Embedded H2 file stores for tests, as the service's default ledger: each new, under target/, its schema migrated. */
public final class H2Files {

    private H2Files() {
    }

    /** A new store named after {@code name}, with room for 32 connections at once. */
    public static JdbcConnectionPool migrated(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "ledger-h2"));
        JdbcConnectionPool pool = JdbcConnectionPool.create(
                "jdbc:h2:file:" + dir.toAbsolutePath().resolve(name + "-" + UUID.randomUUID()), "", "");
        pool.setMaxConnections(32);
        LedgerStore.migrate(pool);
        return pool;
    }
}
