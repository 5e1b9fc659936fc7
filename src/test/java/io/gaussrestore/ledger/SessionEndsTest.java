package io.gaussrestore.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.testing.H2Files;
import io.gaussrestore.testing.Postgres;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Console sign-outs in the ledger's store, on H2 and on PostgreSQL: a session ended through one replica's store is
 * ended for another replica reading the same store, ending it twice is harmless, and the rows go once the session
 * would have been over anyway.
 */
class SessionEndsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static Postgres.Schema postgres;
    private static JdbcConnectionPool h2;

    @BeforeAll
    static void createStores() throws Exception {
        postgres = Postgres.newSchema();
        LedgerStore.migrate(postgres.dataSource());
        h2 = H2Files.migrated("sessions");
    }

    @AfterAll
    static void dropStores() {
        postgres.drop();
        h2.dispose();
    }

    private static DataSource store(String kind) {
        return kind.equals("postgresql") ? postgres.dataSource() : h2;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aSessionEndedOnOneReplicaIsEndedOnTheOthersUntilItWouldHaveEndedAnyway(String kind) {
        SessionEnds replicaA = new SessionEnds(store(kind));
        SessionEnds replicaB = new SessionEnds(store(kind));
        String session = "s-" + UUID.randomUUID();
        String other = "s-" + UUID.randomUUID();

        assertThat(replicaB.ended(session)).isFalse();
        replicaA.end(session, NOW, NOW.plusSeconds(3600));
        replicaA.end(session, NOW.plusSeconds(1), NOW.plusSeconds(3600));
        assertThat(replicaB.ended(session)).isTrue();
        assertThat(replicaB.ended(other)).as("only that session").isFalse();

        replicaB.end(other, NOW, NOW.plusSeconds(7200));
        assertThat(replicaA.purge(NOW.plusSeconds(3599))).as("not before the session's own end").isZero();
        assertThat(replicaA.purge(NOW.plusSeconds(3601))).isEqualTo(1);
        assertThat(replicaB.ended(session)).isFalse();
        assertThat(replicaB.ended(other)).isTrue();
    }
}
