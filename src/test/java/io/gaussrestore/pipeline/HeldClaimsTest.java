package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.ClaimedButUnread;
import io.gaussrestore.ledger.JdbcIdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.testing.H2Files;
import io.quarkus.runtime.ShutdownEvent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The claims a process holds, on a real (H2) ledger: a graceful stop gives back every claim that has sent nothing,
 * to RECEIVED for a record's next owner or to its place for a request taken from its line, and withdraws their
 * POSTs; a claim whose POST left is kept. And a claim won whose read-back fails says which lease won it.
 */
class HeldClaimsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    @RegisterExtension
    static final H2Files.PerClass STORE = new H2Files.PerClass("held");

    private static NewRequest request(String instance) {
        String id = "held-" + UUID.randomUUID();
        return new NewRequest(id, "sha256:" + UUID.randomUUID(), "97b026aa9cc4417888c14c84a1ad9860", instance, "{}",
                "bot", null, null, "requests-0@" + UUID.randomUUID(), UUID.randomUUID().toString(), NOW);
    }

    @Test
    void aGracefulStopGivesBackWhatSentNothingAndKeepsWhatDid() {
        JdbcIdempotencyLedger ledger = new JdbcIdempotencyLedger(STORE.pool(), Duration.ofDays(7), Duration.ofMinutes(2), "a");
        HeldClaims claims = new HeldClaims(ledger, Clock.fixed(NOW, ZoneOffset.UTC));

        LedgerEntry waiting = ((Claim.Won) ledger.claim(request(instance()), NOW)).entry();
        LedgerEntry sending = ((Claim.Won) ledger.claim(request(instance()), NOW)).entry();
        LedgerEntry queued = ((Claim.Won) ledger.claim(request(instance()), NOW)).entry();
        ledger.park(queued.requestId(), queued.leaseToken(), "a job", null, NOW.plusSeconds(600), 0, NOW).orElseThrow();
        ledger.markFirstResultPublished(queued.requestId());
        LedgerEntry released = ledger.takeFromQueue(queued.requestId(), true, NOW).orElseThrow();

        HeldClaims.Held asleep = claims.hold(waiting.requestId(), waiting.leaseToken(), false);
        HeldClaims.Held posted = claims.hold(sending.requestId(), sending.leaseToken(), false);
        HeldClaims.Held fromLine = claims.hold(released.requestId(), released.leaseToken(), true);
        assertThat(claims.mayPost(posted)).isTrue();

        claims.onStop(new ShutdownEvent());

        assertThat(claims.stopping()).isTrue();
        assertThat(asleep.givenBack()).isTrue();
        assertThat(claims.mayPost(asleep)).as("a claim given back sends nothing").isFalse();
        assertThat(ledger.find(waiting.requestId()).orElseThrow().state()).as("for the record's next owner")
                .isEqualTo(LedgerState.RECEIVED);
        LedgerEntry backInLine = ledger.find(released.requestId()).orElseThrow();
        assertThat(backInLine.state()).as("at its place in its line").isEqualTo(LedgerState.QUEUED);
        assertThat(backInLine.queuePosition()).isEqualTo(released.queuePosition());
        assertThat(ledger.takeFromQueue(released.requestId(), true, NOW)).as("any replica releases it again")
                .isPresent();
        assertThat(claims.mayPost(posted)).as("a POST that left keeps its claim").isTrue();
        assertThat(ledger.find(sending.requestId()).orElseThrow().state()).isEqualTo(LedgerState.SUBMITTING);

        HeldClaims.Held late = claims.hold("held-late", "token", false);
        assertThat(claims.mayPost(late)).as("a claim taken while stopping sends nothing").isFalse();
        assertThat(late.withdrawn()).isTrue();
    }

    @Test
    void aClaimWonButNotReadBackNamesTheLeaseThatWonIt() {
        AtomicBoolean failReadBack = new AtomicBoolean();
        DataSource flaky = withConnections((real, m, a) -> {
            if (m.getName().equals("prepareStatement") && a[0] instanceof String sql) {
                if (sql.startsWith("SELECT") && failReadBack.getAndSet(false)) {
                    throw new SQLTransientConnectionException("connection reset", "08006");
                }
                if (sql.startsWith("UPDATE restore_request SET state = ?, lease_owner = ?, lease_token")) {
                    failReadBack.set(true);
                }
            }
            return invoke(real, m, a);
        });
        JdbcIdempotencyLedger ledger = new JdbcIdempotencyLedger(flaky, Duration.ofDays(7), Duration.ofMinutes(2), "a");
        NewRequest request = request(instance());

        assertThatThrownBy(() -> ledger.claim(request, NOW)).isInstanceOfSatisfying(ClaimedButUnread.class, unread -> {
            assertThat(unread.isTransient()).isTrue();
            LedgerEntry row = ledger.find(request.requestId()).orElseThrow();
            assertThat(row.state()).isEqualTo(LedgerState.SUBMITTING);
            assertThat(unread.leaseToken()).as("the token that won").isEqualTo(row.leaseToken());
        });
    }

    @Test
    void aClaimingWriteWhoseAnswerIsLostNamesTheLeaseItMayHaveWon() {
        // The database commits the claim, then the connection breaks before the answer comes back.
        DataSource lossy = withConnections((real, m, a) -> {
            Object made = invoke(real, m, a);
            if (m.getName().equals("prepareStatement") && a[0] instanceof String sql
                    && sql.startsWith("UPDATE restore_request SET state = ?, lease_owner = ?")) {
                java.sql.PreparedStatement statement = (java.sql.PreparedStatement) made;
                return Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] {java.sql.PreparedStatement.class}, (q, n, b) -> {
                            Object done = invoke(statement, n, b);
                            if (n.getName().equals("executeUpdate")) {
                                throw new SQLTransientConnectionException("connection reset", "08006");
                            }
                            return done;
                        });
            }
            return made;
        });
        JdbcIdempotencyLedger ledger = new JdbcIdempotencyLedger(lossy, Duration.ofDays(7), Duration.ofMinutes(2), "a");
        NewRequest request = request(instance());

        assertThatThrownBy(() -> ledger.claim(request, NOW)).isInstanceOfSatisfying(ClaimedButUnread.class, unread -> {
            LedgerEntry row = new JdbcIdempotencyLedger(STORE.pool(), Duration.ofDays(7), Duration.ofMinutes(2), "b")
                    .find(request.requestId()).orElseThrow();
            assertThat(row.state()).as("committed after all").isEqualTo(LedgerState.SUBMITTING);
            assertThat(unread.leaseToken()).as("the token it won").isEqualTo(row.leaseToken());
        });
    }

    /** A call made on one of the STORE.pool()'s connections, given the real connection to make it on. */
    @FunctionalInterface
    private interface ConnectionCall {
        Object made(Connection real, java.lang.reflect.Method method, Object[] args) throws Throwable;
    }

    /** The STORE.pool(), each connection it gives answering its calls through {@code onCall}. */
    private DataSource withConnections(ConnectionCall onCall) {
        ClassLoader loader = getClass().getClassLoader();
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = invoke(STORE.pool(), method, args);
            if (!method.getName().equals("getConnection")) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class},
                    (p, m, a) -> onCall.made(real, m, a));
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
