package io.gaussrestore.observability;

import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.PolicyProfile;
import io.gaussrestore.testing.TestTopics;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Traces with an in-memory exporter: a request record's traceparent continues through validation, the ledger,
 * the cloud call and the result record; a record without one starts a trace; POST /restores carries its server
 * span's trace onto the request record. The cloud never sees a trace header.
 */
@QuarkusTest
@TestProfile(PolicyProfile.class)
class TracingTest {

    /** Allowed for any instance by the profile's restore policy. */
    private static final String PROJECT = io.gaussrestore.testing.Policies.OPEN_PROJECT;

    /** Spans end up here instead of an OTLP collector. */
    @Singleton
    static class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    private static String request(String requestId, String instance) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]}
                """.formatted(requestId, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli());
    }

    private List<SpanData> trace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    private static String resultTraceparent(String requestId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.results(requestId).isEmpty());
        return TestTopics.header(TestTopics.results(requestId).get(0), "traceparent");
    }

    @Test
    void aProducersTraceContinuesThroughThePipelineToTheResultRecord() {
        TestTopics.startReader();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String parentSpan = "00f067aa0ba902b7";
        String requestId = "traced-" + UUID.randomUUID();
        String instance = instance();
        TestTopics.send(instance, request(requestId, instance).getBytes(StandardCharsets.UTF_8),
                Map.of("traceparent", "00-" + traceId + "-" + parentSpan + "-01"));

        String traceparent = resultTraceparent(requestId);
        assertThat(TestTopics.resultValues(requestId).get(0).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(traceparent).as("the result record carries the producer's trace").startsWith("00-" + traceId + "-");
        await().atMost(Duration.ofSeconds(10)).until(() -> trace(traceId).stream()
                .anyMatch(s -> s.getName().equals("restore request")));
        List<SpanData> trace = trace(traceId);
        assertThat(trace).extracting(SpanData::getName)
                .contains("restore request", "validate", "ledger claim", "cloud restore", "publish result");
        SpanData root = trace.stream().filter(s -> s.getName().equals("restore request")).findFirst().orElseThrow();
        assertThat(root.getParentSpanId()).isEqualTo(parentSpan);
        assertThat(root.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(root.getAttributes().asMap().toString()).contains(requestId).contains(instance);
        assertThat(trace.stream().filter(s -> !s.getName().equals("restore request")))
                .allSatisfy(step -> assertThat(step.getParentSpanId()).isEqualTo(root.getSpanId()));
        assertThat(traceparent).contains(root.getSpanId());
        SpanData cloud = trace.stream().filter(s -> s.getName().equals("cloud restore")).findFirst().orElseThrow();
        assertThat(cloud.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(cloud.getAttributes().asMap().toString()).contains("job ");
    }

    @Test
    void aRecordWithoutTraceStartsOneAndTheHttpDoorCarriesItsOwn() {
        TestTopics.startReader();
        String plain = "untraced-" + UUID.randomUUID();
        String instance = instance();
        TestTopics.send(instance, request(plain, instance));
        String started = resultTraceparent(plain);
        assertThat(started).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        String startedTrace = started.split("-")[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> !trace(startedTrace).isEmpty());
        assertThat(trace(startedTrace)).extracting(SpanData::getName).contains("restore request", "cloud restore");

        String viaHttp = "http-traced-" + UUID.randomUUID();
        String other = instance();
        Api.asBot().contentType("application/json").body(request(viaHttp, other)).post("/restores")
                .then().statusCode(202);
        String traceparent = resultTraceparent(viaHttp);
        String httpTrace = traceparent.split("-")[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> trace(httpTrace).stream()
                .anyMatch(s -> s.getKind() == SpanKind.SERVER));
        assertThat(trace(httpTrace)).extracting(SpanData::getName).contains("restore request", "publish result");
    }
}
