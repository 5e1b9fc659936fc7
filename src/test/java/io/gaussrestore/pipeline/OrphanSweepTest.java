package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static io.gaussrestore.testing.Requests.statuses;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.ledger.Outcome;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Requests whose record was dead-lettered after their claim, left in each half-done state an outage can leave
 * them in, long enough ago: the sweep finishes every one with exactly one first result, sends what had sent
 * nothing, sends nothing that may have been sent, has the job of one whose SUBMITTED never went out followed, and lets
 * the instance's line move on. Rows touched lately are left alone: their record may still come back.
 */
@QuarkusTest
class OrphanSweepTest {

    @InjectCloudApi
    WireMockServer cloud;

    @Inject
    IdempotencyLedger ledger;

    @Inject
    OrphanSweep sweep;

    @Inject
    io.gaussrestore.ledger.LedgerStore store;

    /** A request claimed at {@code at} for its instance (SUBMITTING), as the pipeline claims one. */
    private String claimed(String instance, Instant at) {
        return claimedBy(ledger, instance, at);
    }

    private static String claimedBy(IdempotencyLedger ledger, String instance, Instant at) {
        String id = "orphan-" + UUID.randomUUID();
        String json = """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(id, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli());
        Claim claim = ledger.claim(new NewRequest(id, "sha256:" + UUID.randomUUID(), PROJECT, instance, json, "bot",
                "orphan sweep", null, "requests-0@" + UUID.randomUUID(), UUID.randomUUID().toString(), at), at);
        assertThat(claim).isInstanceOf(Claim.Won.class);
        return id;
    }

    private String token(String id) {
        return ledger.find(id).orElseThrow().leaseToken();
    }

    private int posts(String instance) {
        return cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instance)))).size();
    }

    @Test
    void everyHalfDoneRequestWhoseRecordWillNotComeBackIsFinishedOnce() {
        TestTopics.startReader();
        // Untouched for longer than any worker would retry (transient deadline 8 s + lease 3 s in tests).
        Instant longAgo = Instant.now().minus(Duration.ofMinutes(5));
        String job = "job-" + UUID.randomUUID();

        // Given back (RECEIVED) with nothing sent: it is sent now.
        String givenBackInstance = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(givenBackInstance))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"job_id\":\"job-" + UUID.randomUUID() + "\"}")));
        String givenBack = claimed(givenBackInstance, longAgo);
        assertThat(ledger.relinquish(givenBack, token(givenBack), longAgo)).isTrue();

        // SUBMITTING under a lease that lapsed long ago: it may have been sent, so it ends UNKNOWN, sent no more.
        String lapsedInstance = instance();
        String lapsed = claimed(lapsedInstance, longAgo);

        // SUBMITTED, its first result never published: published now, and its job followed to its end.
        String submitted = claimed(instance(), longAgo);
        ledger.recordOutcome(submitted, token(submitted), new Outcome.Submitted(job, 1, longAgo, longAgo.plusSeconds(1)))
                .orElseThrow();

        // QUEUED behind nothing any more, its QUEUED never published: published now, and the line moves.
        String queuedInstance = instance();
        cloud.stubFor(post(urlPathEqualTo(restorePath(queuedInstance))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"job_id\":\"job-" + UUID.randomUUID() + "\"}")));
        String queued = claimed(queuedInstance, longAgo);
        ledger.park(queued, token(queued), "a request that has since ended", null, Instant.now().plusSeconds(600), 0,
                longAgo).orElseThrow();

        // Claimed by another replica, lapsed 13 s ago: past this replica's own grace (11 s in tests) but not past
        // twice it, so its owner, if alive, resumes it first; the sweep leaves it. Lapsed long ago: ended UNKNOWN.
        IdempotencyLedger otherReplica = new io.gaussrestore.ledger.JdbcIdempotencyLedger(store.dataSource(),
                Duration.ofDays(7), Duration.ofSeconds(3), "another-replica");
        String othersRecent = claimedBy(otherReplica, instance(), Instant.now().minusSeconds(16));
        String othersLongAgo = claimedBy(otherReplica, instance(), longAgo);

        // Touched a moment ago: its record may still come back; the sweep leaves it.
        String recent = claimed(instance(), Instant.now());
        ledger.relinquish(recent, token(recent), Instant.now());

        sweep.sweep();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(statuses(givenBack)).containsExactly("SUBMITTED");
            assertThat(statuses(lapsed)).containsExactly("UNKNOWN");
            assertThat(statuses(submitted)).containsExactly("SUBMITTED");
            assertThat(statuses(queued)).containsExactly("QUEUED", "SUBMITTED");
            assertThat(statuses(othersLongAgo)).containsExactly("UNKNOWN");
        });
        assertThat(ledger.find(othersRecent).orElseThrow().state()).isEqualTo(LedgerState.SUBMITTING);
        assertThat(statuses(othersRecent)).isEmpty();
        assertThat(posts(givenBackInstance)).isEqualTo(1);
        assertThat(posts(lapsedInstance)).as("what may have been sent is not sent again").isZero();
        assertThat(posts(queuedInstance)).isEqualTo(1);
        assertThat(TestTopics.resultValues(lapsed).get(0).at("/error/message").asText()).contains("not sent again");
        Instant now = Instant.now();
        assertThat(ledger.claimDueJobs(now, now, Duration.ofSeconds(30), 10_000))
                .extracting(io.gaussrestore.ledger.LedgerEntry::requestId)
                .as("its SUBMITTED out, its job is due to be followed").contains(submitted);
        assertThat(ledger.find(recent).orElseThrow().state()).isEqualTo(LedgerState.RECEIVED);
        assertThat(statuses(recent)).isEmpty();

        sweep.sweep();
        assertThat(statuses(givenBack)).as("a second sweep finds nothing left to do").containsExactly("SUBMITTED");
        assertThat(statuses(lapsed)).containsExactly("UNKNOWN");
    }
}
