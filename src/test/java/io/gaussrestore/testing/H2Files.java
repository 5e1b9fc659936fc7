package io.gaussrestore.testing;

import io.gaussrestore.ledger.LedgerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Embedded H2 file stores for tests, as the service's default ledger: each new, under target/, its schema migrated. */
public final class H2Files {

    private H2Files() {
    }

    /** A new store for a test class's tests: created before them, closed after them. */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final String name;
        private JdbcConnectionPool pool;

        public PerClass(String name) {
            this.name = name;
        }

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            pool = migrated(name);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (pool != null) {
                pool.dispose();
            }
        }

        public JdbcConnectionPool pool() {
            return pool;
        }
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
