package io.gaussrestore.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests: the one on 127.0.0.1:5432 (database test, trust auth) where it answers, else a
 * Testcontainers PostgreSQL where a Docker engine answers. Each test class gets a schema of its own.
 */
public final class Postgres {

    private static String url;
    private static String user;
    private static String password;

    private Postgres() {}

    /** An empty schema and a data source whose connections use it. */
    public static synchronized Schema newSchema() {
        if (url == null) {
            locate();
        }
        String name = "ledger_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create schema " + name, e);
        }
        return new Schema(name, url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name);
    }

    /** The JDBC URL of the server, without a schema. */
    public static synchronized String serverUrl() {
        if (url == null) {
            locate();
        }
        return url;
    }

    public static String user() {
        return user;
    }

    public static String password() {
        return password;
    }

    private static void locate() {
        String local = System.getenv().getOrDefault("TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String localUser = System.getenv().getOrDefault("TEST_POSTGRES_USER", "postgres");
        try (Connection ignored = DriverManager.getConnection(local, localUser, "")) {
            url = local;
            user = localUser;
            password = "";
            return;
        } catch (SQLException e) {
            if (!KafkaBroker.dockerAnswers()) {
                throw new IllegalStateException("no PostgreSQL answers at " + local
                        + " and no Docker engine is there for Testcontainers; start PostgreSQL or set TEST_POSTGRES_URL", e);
            }
        }
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        url = container.getJdbcUrl();
        user = container.getUsername();
        password = container.getPassword();
    }

    /** A schema of a test class. */
    public static final class Schema {
        private final String name;
        private final String url;
        private org.h2.jdbcx.JdbcConnectionPool pool;

        Schema(String name, String url) {
            this.name = name;
            this.url = url;
        }

        public String jdbcUrl() {
            return url;
        }

        /** A small pool of connections to the schema (opening one per statement would cost more than the SQL). */
        public synchronized DataSource dataSource() {
            if (pool == null) {
                PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
                connections.setUrl(url);
                connections.setUser(user);
                connections.setPassword(password);
                pool = org.h2.jdbcx.JdbcConnectionPool.create(connections);
                pool.setMaxConnections(32);
            }
            return pool;
        }

        public void drop() {
            synchronized (this) {
                if (pool != null) {
                    pool.dispose();
                    pool = null;
                }
            }
            try (Connection c = DriverManager.getConnection(Postgres.url, user, password);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + name + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop schema " + name, e);
            }
        }
    }
}
