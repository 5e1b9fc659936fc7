package io.gaussrestore.pipeline;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.ledger.Claim;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.JdbcIdempotencyLedger;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.ledger.LedgerStore;
import io.gaussrestore.ledger.NewRequest;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultStatus;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.CloudStubs;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The pipeline driven record by record on the real ledger, broker and WireMock, with the failures that used to
 * double a restore or invent an UNKNOWN put in its way.
 */
@QuarkusTest
class PipelineRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicLong OFFSETS = new AtomicLong();

    @InjectCloudApi
    WireMockServer cloud;

    @Inject
    RestorePipeline pipeline;

    @Inject
    IdempotencyLedger ledger;

    @Inject
    LedgerStore store;

    @Inject
    RestoreRequestValidator validator;

    @Inject
    Clock clock;

    @Inject
    io.gaussrestore.throttling.RateLimiter limiter;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @org.junit.jupiter.api.BeforeAll
    static void readResults() {
        TestTopics.startReader();
    }

    private static String request(String requestId, String instanceId, long restoreTime) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(requestId, PROJECT, instanceId, restoreTime);
    }

    private static InboundRecord record(String value, RecordFence fence) {
        return new InboundRecord(value.getBytes(StandardCharsets.UTF_8), null, Instant.now(), "pipeline-test", 0,
                OFFSETS.incrementAndGet(), fence);
    }

    private static InboundRecord again(InboundRecord record, RecordFence fence) {
        return new InboundRecord(record.value(), record.ceId(), record.timestamp(), record.topic(), record.partition(),
                record.offset(), fence);
    }

    /** A request for a fresh instance that the cloud accepted as {@code job-<name>}, its first result published. */
    private record Settled(String instanceId, String requestId, InboundRecord record) {}

    private Settled settled(String name) {
        String instanceId = instance();
        stubAccepted(instanceId, "job-" + name);
        String requestId = name + "-" + UUID.randomUUID();
        InboundRecord record = fresh(requestId, instanceId);
        process(record);
        await().atMost(WAIT).until(() -> TestTopics.results(requestId).size() == 1);
        return new Settled(instanceId, requestId, record);
    }

    private static InboundRecord fresh(String requestId, String instanceId) {
        return record(request(requestId, instanceId, 1690890940000L), RecordFence.ALWAYS);
    }

    private Disposition process(InboundRecord record) {
        return pipeline.process(record).await().atMost(WAIT);
    }

    private void stubAccepted(String instanceId, String jobId) {
        CloudStubs.acceptRestores(cloud, instanceId, jobId);
    }

    /** The record was answered with the job given, after the one POST the instance received. */
    private void assertAnsweredAfterOnePost(Disposition disposition, String jobId, String instanceId) {
        assertThat(disposition).isInstanceOfSatisfying(Disposition.Answered.class,
                answered -> assertThat(answered.result().jobId()).isEqualTo(jobId));
        assertThat(posts(instanceId)).isEqualTo(1);
    }

    private int posts(String instanceId) {
        return cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instanceId)))).size();
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = store.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    @Test
    void aRecordSeenSettledIsLookedUpFirstYetTheLedgerStillDecides() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-seen");
        String requestId = "seen-" + UUID.randomUUID();
        InboundRecord original = fresh(requestId, instanceId);
        assertThat(((Disposition.Answered) process(original)).result().status()).isEqualTo(ResultStatus.SUBMITTED);

        Disposition repeat = process(fresh(requestId, instanceId)
                .asSeenSettled());
        assertThat(((Disposition.Answered) repeat).result().status()).as("another record with its id: a repeat")
                .isEqualTo(ResultStatus.DUPLICATE);
        assertThat(((Disposition.Answered) repeat).result().jobId()).isEqualTo("job-seen");

        Disposition redelivered = process(again(original, RecordFence.ALWAYS).asSeenSettled());
        assertThat(((Disposition.Answered) redelivered).result().status())
                .as("the original record again: its own outcome, not a repeat").isEqualTo(ResultStatus.SUBMITTED);

        String unknown = "seen-wrongly-" + UUID.randomUUID();
        String other = instance();
        stubAccepted(other, "job-unknown");
        Disposition wrongHint = process(fresh(unknown, other)
                .asSeenSettled());
        assertThat(((Disposition.Answered) wrongHint).result().status())
                .as("a request the ledger does not know is claimed and sent as any other").isEqualTo(ResultStatus.SUBMITTED);
        assertThat(posts(instanceId)).isEqualTo(1);
        assertThat(posts(other)).isEqualTo(1);
    }

    private long ledgerCalls(String operation) {
        io.micrometer.core.instrument.Timer timer = registry.find("gaussdb.restore.ledger.latency")
                .tag("operation", operation).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void repeatsOfOneRequestReadTheLedgerAboutOnceASecondAndSeeItsChangesAfterThat() throws Exception {
        String instanceId = instance();
        stubAccepted(instanceId, "job-repeated");
        String requestId = "repeated-" + UUID.randomUUID();
        String value = request(requestId, instanceId, 1690890940000L);
        process(record(value, RecordFence.ALWAYS));
        long readsBefore = ledgerCalls("claim_repeat");

        long start = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            RestoreResult repeat = ((Disposition.Answered) process(record(value, RecordFence.ALWAYS).asSeenSettled()))
                    .result();
            assertThat(repeat.status()).isEqualTo(ResultStatus.DUPLICATE);
            assertThat(repeat.originalStatus()).isEqualTo(ResultStatus.SUBMITTED);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long reads = ledgerCalls("claim_repeat") - readsBefore;
        assertThat(reads).as("40 repeats in %.2f s", seconds)
                .isBetween(1L, 1L + (long) Math.ceil(seconds / Repeats.REPEAT_MEMORY.toMillis() * 1000));

        // The job moved on: within the memory's second, repeats answer with the new state.
        sql("UPDATE restore_request SET state = 'RUNNING', job_status = 'Running' WHERE request_id = ?", requestId);
        await().atMost(WAIT).until(() -> ((Disposition.Answered) process(record(value, RecordFence.ALWAYS)
                .asSeenSettled())).result().originalStatus() == ResultStatus.RUNNING);
        assertThat(posts(instanceId)).isEqualTo(1);
    }

    @Test
    void aRepublishedFirstResultIsTheSameBytesUnderTheSameId() throws Exception {
        Settled settled = settled("republished");
        // A crash between the broker's ack and the ledger's "published" mark, while tracking moved on.
        sql("UPDATE restore_request SET first_result_published = FALSE, state = 'RUNNING', progress = '40%', "
                + "job_status = 'Running' WHERE request_id = ?", settled.requestId());

        process(again(settled.record(), RecordFence.ALWAYS));

        await().atMost(WAIT).until(() -> TestTopics.results(settled.requestId()).size() == 2);
        ConsumerRecord<byte[], byte[]> first = TestTopics.results(settled.requestId()).get(0);
        ConsumerRecord<byte[], byte[]> second = TestTopics.results(settled.requestId()).get(1);
        assertThat(new String(second.value(), StandardCharsets.UTF_8)).isEqualTo(new String(first.value(), StandardCharsets.UTF_8));
        assertThat(TestTopics.header(second, "ce_id")).isEqualTo(TestTopics.header(first, "ce_id"));
        assertThat(TestTopics.json(second).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(posts(settled.instanceId())).isEqualTo(1);
    }

    @Test
    void aRecordWhoseFirstResultAnotherOwnerIsPublishingWaitsForItInsteadOfPublishingItToo() throws Exception {
        Settled settled = settled("held");
        // A rebalance handed the same record to this replica while another replica holds the publication of its
        // first result (published by it, not yet marked).
        IdempotencyLedger otherReplica = new JdbcIdempotencyLedger(store.dataSource(), Duration.ofDays(7),
                ledger.lease(), "other-replica");
        sql("UPDATE restore_request SET first_result_published = FALSE WHERE request_id = ?", settled.requestId());
        assertThat(otherReplica.takeFirstPublication(settled.requestId(), "{}", true, "other-replica-publisher",
                clock.instant())).isPresent();

        CompletableFuture<Disposition> done = pipeline.process(again(settled.record(), RecordFence.ALWAYS))
                .subscribeAsCompletionStage();
        await().during(Duration.ofSeconds(1)).atMost(WAIT)
                .until(() -> !done.isDone() && TestTopics.results(settled.requestId()).size() == 1);
        otherReplica.markFirstResultPublished(settled.requestId());

        Disposition disposition = Uni.createFrom().completionStage(done).await().atMost(WAIT);
        assertThat(disposition).isInstanceOfSatisfying(Disposition.Answered.class,
                answered -> assertThat(answered.result().jobId()).isEqualTo("job-held"));
        assertThat(TestTopics.results(settled.requestId())).as("published once, by the other owner").hasSize(1);
        assertThat(posts(settled.instanceId())).isEqualTo(1);
    }

    @Test
    void aRecordRepeatingAKnownRequestIdIsAnsweredUnderAStableId() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-original");
        String requestId = "repeated-" + UUID.randomUUID();
        process(fresh(requestId, instanceId));
        InboundRecord repeat = record(request(requestId, instanceId, 1690890941000L), RecordFence.ALWAYS);

        process(repeat);
        process(again(repeat, RecordFence.ALWAYS));

        await().atMost(WAIT).until(() -> TestTopics.results(requestId).size() == 3);
        ConsumerRecord<byte[], byte[]> answer = TestTopics.results(requestId).get(1);
        ConsumerRecord<byte[], byte[]> answerAgain = TestTopics.results(requestId).get(2);
        assertThat(TestTopics.json(answer).get("status").asText()).isEqualTo("DUPLICATE");
        assertThat(TestTopics.header(answerAgain, "ce_id")).isEqualTo(TestTopics.header(answer, "ce_id"));
        assertThat(posts(instanceId)).isEqualTo(1);
    }

    @Test
    void aRevokedPartitionStopsTheWorkBeforeItsCallAndGivesTheRequestBack() {
        String instanceId = instance();
        stubAccepted(instanceId, "job-new-owner");
        String requestId = "revoked-" + UUID.randomUUID();
        InboundRecord record = record(request(requestId, instanceId, 1690890940000L), () -> false);

        Disposition disposition = process(record);

        assertThat(disposition).isInstanceOf(Disposition.Abandoned.class);
        assertThat(posts(instanceId)).isZero();
        assertThat(ledger.find(requestId).orElseThrow().state()).isEqualTo(LedgerState.RECEIVED);
        assertThat(TestTopics.results(requestId)).isEmpty();

        // The partition's new owner reads the same record and carries on.
        Disposition taken = process(again(record, RecordFence.ALWAYS));
        assertAnsweredAfterOnePost(taken, "job-new-owner", instanceId);
    }

    @Test
    void aRecordValidWhenAcceptedIsStillServedWhenItComesBackAfterTheRulesMovedOn() throws Exception {
        String instanceId = instance();
        stubAccepted(instanceId, "job-late");
        String requestId = "valid-then-old-" + UUID.randomUUID();
        // Accepted long ago, when its restore_time was within the retention; today it no longer is.
        Instant acceptedAt = clock.instant().minus(Duration.ofDays(5001));
        String text = request(requestId, instanceId, acceptedAt.minus(Duration.ofHours(1)).toEpochMilli());
        RequestCheck then = validator.checkAt((ObjectNode) JSON.readTree(text), acceptedAt);
        assertThat(then).isInstanceOf(RequestCheck.Valid.class);
        assertThat(validator.check((ObjectNode) JSON.readTree(text))).isInstanceOf(RequestCheck.Invalid.class);
        InboundRecord record = record(text, RecordFence.ALWAYS);
        String key = BusinessKey.of(((RequestCheck.Valid) then).request());
        Claim claim = ledger.claim(new NewRequest(requestId, key, PROJECT, instanceId, text, null, null, null,
                record.position(), UUID.randomUUID().toString(), acceptedAt), clock.instant());
        ledger.relinquish(requestId, ((Claim.Won) claim).entry().leaseToken(), clock.instant());

        Disposition disposition = process(record);

        assertAnsweredAfterOnePost(disposition, "job-late", instanceId);
    }

    @Test
    void aLedgerThatFailsForAMomentAfterThePostDoesNotTurnTheRestoreUnknown() throws Exception {
        String instanceId = instance();
        CloudStubs.acceptRestoresSlowly(cloud, instanceId, "job-kept", 1000);
        String requestId = "ledger-hiccup-" + UUID.randomUUID();
        InboundRecord record = fresh(requestId, instanceId);

        CompletableFuture<Disposition> done = pipeline.process(record).subscribeAsCompletionStage();
        await().atMost(WAIT).until(() -> posts(instanceId) == 1);
        // Hold the request's row locked past H2's lock time-out: recording the answer fails, transiently.
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT state FROM restore_request WHERE request_id = ? FOR UPDATE")) {
                s.setString(1, requestId);
                s.executeQuery().close();
            }
            Thread.sleep(3000);
            c.commit();
        }

        Disposition disposition = done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(disposition).isInstanceOfSatisfying(Disposition.Answered.class, answered -> {
            assertThat(answered.result().status().name()).isEqualTo("SUBMITTED");
            assertThat(answered.result().jobId()).isEqualTo("job-kept");
        });
        assertThat(ledger.find(requestId).orElseThrow().state()).isEqualTo(LedgerState.SUBMITTED);
        assertThat(posts(instanceId)).isEqualTo(1);
    }

    @Test
    void theLeaseStaysAliveWhileTheRequestWaitsLongerThanIt() throws Exception {
        // A project of its own whose rate budget the gateway just paused for 14 s: the POST waits for it.
        String project = UUID.randomUUID().toString().replace("-", "");
        limiter.throttled(project, io.gaussrestore.cloud.Operation.RESTORE, "policy user over ratelimit,limit:100000,time:1 minute", "14");
        await().atMost(WAIT).until(() -> throttledAt(project) != null);
        String instanceId = instance();
        String path = "/v3/" + project + "/instances/" + instanceId + "/backups/restore/tables";
        cloud.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withBody("{\"job_id\": \"job-after-wait\"}")));
        String requestId = "long-wait-" + UUID.randomUUID();
        IdempotencyLedger otherReplica = new JdbcIdempotencyLedger(store.dataSource(), Duration.ofDays(7),
                ledger.lease(), "other-replica");

        CompletableFuture<Disposition> done = pipeline.process(record(request(requestId, instanceId, 1690890940000L)
                .replace(PROJECT, project), RecordFence.ALWAYS)).subscribeAsCompletionStage();
        Instant waitUntil = Instant.now().plus(ledger.lease().multipliedBy(3));
        // Three lease lengths of waiting: the lease must never lapse, so no other replica can call it abandoned.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            LedgerEntry entry = ledger.find(requestId).orElseThrow();
            assertThat(entry.state()).isEqualTo(LedgerState.SUBMITTING);
            assertThat(otherReplica.expireLease(requestId, "abandoned?", clock.instant())).isEmpty();
            return Instant.now().isAfter(waitUntil);
        });
        assertThat(cloud.findAll(postRequestedFor(urlPathEqualTo(path)))).as("still waiting for the budget").isEmpty();

        Disposition disposition = Uni.createFrom().completionStage(done).await().atMost(WAIT);
        assertThat(disposition).isInstanceOfSatisfying(Disposition.Answered.class, answered -> {
            assertThat(answered.result().jobId()).isEqualTo("job-after-wait");
            assertThat(answered.result().attempts()).isEqualTo(1);
        });
    }

    private Instant throttledAt(String project) throws Exception {
        try (Connection c = store.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT last_throttled_at FROM rate_budget WHERE project_id = ? AND operation = 'restore'")) {
            s.setString(1, project);
            try (var rs = s.executeQuery()) {
                return rs.next() && rs.getObject(1, java.time.OffsetDateTime.class) != null
                        ? rs.getObject(1, java.time.OffsetDateTime.class).toInstant()
                        : null;
            }
        }
    }
}
