package io.gaussrestore.auth;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.simulator.SimulatorSettings;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.gaussrestore.testing.ProfileSettings;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** IAM password auth end to end against the simulator's IAM, with tokens that live four seconds. */
@QuarkusTest
@TestProfile(IamAuthTest.IamProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamAuthTest {

    @Inject
    GaussDbRestoreClient client;

    @Inject
    GaussDbSimulator simulator;

    @Inject
    TokenSource tokens;

    private List<JournalEntry> since(long seq, String operation) {
        return simulator.journal().stream().filter(e -> e.seq() > seq && e.operation().equals(operation)).toList();
    }

    private long lastSeq() {
        List<JournalEntry> journal = simulator.journal();
        return journal.isEmpty() ? 0 : journal.get(journal.size() - 1).seq();
    }

    private List<ApiResult> concurrently(int calls) {
        List<Uni<ApiResult>> unis = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            unis.add(client.showJob(PROJECT, "no-such-job-" + i));
        }
        return Uni.join().all(unis).andFailFast().await().atMost(Duration.ofSeconds(30));
    }

    private static boolean authFailure(ApiResult result) {
        return result instanceof ApiResult.ErrorResponse error && (error.httpStatus() == 401 || error.httpStatus() == 403);
    }

    @Test
    @Order(1)
    void fiftyConcurrentCallsShareOneTokenRequest() {
        long before = lastSeq();
        List<ApiResult> results = concurrently(50);

        assertThat(results).noneMatch(IamAuthTest::authFailure);
        assertThat(since(before, "token")).hasSize(1);
        assertThat(since(before, "job")).hasSize(50);
    }

    @Test
    @Order(2)
    void tokensRenewThemselvesAcrossSeveralLifetimes() throws Exception {
        long before = lastSeq();
        Instant end = Instant.now().plusSeconds(13);
        int calls = 0;
        while (Instant.now().isBefore(end)) {
            List<ApiResult> results = concurrently(5);
            assertThat(results).noneMatch(IamAuthTest::authFailure);
            calls += results.size();
            Thread.sleep(100);
        }
        List<JournalEntry> tokens = since(before, "token");
        System.out.printf("IAM auth: %d calls over 13 s with 4 s tokens needed %d token requests%n", calls, tokens.size());
        assertThat(tokens).as("about one renewal per 3 s (75% of 4 s)").hasSizeBetween(3, 6);
        assertThat(since(before, "job")).noneMatch(e -> e.status() == 401);
    }

    @Test
    @Order(3)
    void aRevokedTokenIsRenewedOnceAndTheCallSucceeds() {
        // From here on tokens live an hour: no background renewal can fall between a revocation and the call.
        simulator.update(new SimulatorSettings.Patch(Duration.ofHours(1), null, null, null, null, null, null, null));
        simulator.revokeTokens();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !authFailure(client.showJob(PROJECT, "long-lived").await().atMost(Duration.ofSeconds(10)))
                        && iamTokens().pendingRenewals().stream().allMatch(d -> d.compareTo(Duration.ofMinutes(10)) > 0));
        assertThat(iamTokens().pendingRenewals()).as("one background renewal, 45 min away").hasSize(1);

        simulator.revokeTokens();
        long before = lastSeq();
        ApiResult result = client.showJob(PROJECT, "after-revocation").await().atMost(Duration.ofSeconds(10));

        assertThat(authFailure(result)).isFalse();
        assertThat(since(before, "token")).hasSize(1);
        assertThat(since(before, "job")).extracting(JournalEntry::status).containsExactly(401, 400);
        assertThat(iamTokens().pendingRenewals()).as("the renewal after a 401 replaced the timer, it did not add one")
                .hasSize(1);
    }

    private IamTokenSource iamTokens() {
        return (IamTokenSource) tokens;
    }

    @Test
    @Order(4)
    void whenRenewalFailsTheCallFailsClearlyWithoutALoop() {
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, null, null, null, "a-new-password"));
        simulator.revokeTokens();
        long before = lastSeq();
        try {
            ApiResult result = client.showJob(PROJECT, "after-password-change").await().atMost(Duration.ofSeconds(10));

            assertThat(result).isInstanceOfSatisfying(ApiResult.ErrorResponse.class, error -> {
                assertThat(error.httpStatus()).isEqualTo(401);
                assertThat(error.errorCode()).isEqualTo("AUTH.CREDENTIALS_REFUSED");
                assertThat(error.errorMessage()).contains("IAM refused the token request").contains("username or password");
                assertThat(error.errorMessage()).doesNotContain(PASSWORD);
            });
            assertThat(since(before, "token")).hasSize(1);
            assertThat(since(before, "job")).hasSize(1);
        } finally {
            simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, null, null, null, PASSWORD));
        }
        assertThat(authFailure(client.showJob(PROJECT, "recovered").await().atMost(Duration.ofSeconds(10)))).isFalse();
    }

    @Test
    @Order(5)
    void aRestoreIsSubmittedWithAnIamToken() {
        String requestId = "iam-" + UUID.randomUUID();
        String instance = instance();
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, PROJECT, instance, Instant.now().minusSeconds(3600).toEpochMilli()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.results(requestId).isEmpty());
        assertThat(TestTopics.resultValues(requestId).get(0).get("status").asText()).isEqualTo("SUBMITTED");
    }

    @AfterAll
    static void theDebugLogHoldsNoSecret() throws Exception {
        String log = Files.readString(LOG);
        assertThat(log).as("the debug log was written").contains("DEBUG");
        assertThat(log).doesNotContain(PASSWORD).doesNotContain("MIIsim");
    }

    /** The secret the profile configures, and the DEBUG log that is searched for it. */
    static final String PASSWORD = "Iam-Pa55word-secret";
    static final Path LOG = Path.of("target", "auth-debug-iam.log");

    /** IAM password mode; every log line at DEBUG goes to a file that is searched for secrets. */
    public static class IamProfile extends SimulatorBackedProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ProfileSettings.simulatorBacked("iam-auth").debugLog(LOG).untracked().iam("cn-north-4")
                    .with("restore.auth.token", "").with("restore.auth.iam-domain-name", "acme")
                    .with("restore.auth.iam-user-name", "restore-bot").with("restore.auth.iam-password", PASSWORD)
                    .with("simulator.iam-password", PASSWORD).with("simulator.token-lifetime", "PT4S").map();
        }
    }
}
