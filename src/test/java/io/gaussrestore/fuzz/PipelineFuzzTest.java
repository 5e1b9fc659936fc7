package io.gaussrestore.fuzz;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.KafkaBroker;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * Generated records through the real broker and the whole pipeline: 1,000 in the suite, more with
 * {@code -Dfuzz.pipeline.cases} (the drill command runs 10,000). Each record ends in exactly one first result or
 * one dead-letter record naming its position, no partition stalls, the service stays alive, and no rejected
 * record reaches the cloud.
 */
@QuarkusTest
class PipelineFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WELL_FORMED_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> FIRST_RESULTS =
            Set.of("SUBMITTED", "FAILED", "REJECTED", "DUPLICATE", "UNKNOWN", "QUEUED", "DRY_RUN");
    /** The broker takes records up to its default 1 MiB; larger ones are checked by {@link RequestFuzzTest}. */
    private static final int BROKER_LIMIT = 1_000_000;

    @InjectCloudApi
    WireMockServer cloud;

    @Test
    void everyRecordEndsInOneResultOrOneDeadLetterAndNoRejectedRecordReachesTheCloud() throws Exception {
        int count = Integer.getInteger("fuzz.pipeline.cases", 1_000);
        String run = UUID.randomUUID().toString().substring(0, 8);
        cloud.stubFor(post(urlPathMatching("/v3/.*/backups/restore/tables")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"job_id\": \"fuzz-job\"}")));
        List<FuzzCases.Case> cases = new FuzzCases(RequestFuzzTest.SEED, run, 65536).take(count).stream()
                .filter(c -> c.value().length + (c.key() == null ? 0 : c.key().length) < BROKER_LIMIT)
                .toList();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FuzzCases.Case fuzz : cases) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(KafkaBroker.REQUESTS, fuzz.key(), fuzz.value());
            fuzz.headers().forEach((name, value) -> record.headers().add(new RecordHeader(name, value)));
            records.add(record);
        }
        long started = System.nanoTime();
        List<RecordMetadata> landed = TestTopics.sendAll(records);
        Map<String, Integer> casesByKey = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (FuzzCases.Case fuzz : cases) {
            String key = expectedRequestId(fuzz);
            keys.add(key);
            casesByKey.merge(key, 1, Integer::sum);
        }

        try {
            await().atMost(Duration.ofMinutes(Math.max(3, count / 500))).pollInterval(Duration.ofSeconds(1))
                    .until(() -> outcomes(cases, landed, keys).answered() >= cases.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Outcomes partial = outcomes(cases, landed, keys);
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < cases.size() && missing.size() < 10; i++) {
                if (!partial.deadLettered().contains(i) && !partial.resultsByKey().containsKey(keys.get(i))) {
                    missing.add(keys.get(i) + " at " + landed.get(i).partition() + "@" + landed.get(i).offset() + " "
                            + cases.get(i).describe());
                }
            }
            throw new AssertionError("records without an outcome (first 10): " + missing, e);
        }
        Outcomes outcomes = outcomes(cases, landed, keys);
        System.out.printf("pipeline fuzzing, seed %d: %d records (%d over the broker's limit left out) answered in %d ms: "
                        + "%d dead-lettered, results %s%n", RequestFuzzTest.SEED, cases.size(), count - cases.size(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), outcomes.deadLettered().size(),
                outcomes.statuses());

        for (int i = 0; i < cases.size(); i++) {
            assertThat(outcomes.deadLetters().getOrDefault(i, 0)).as("dead letters of " + cases.get(i).describe())
                    .isLessThanOrEqualTo(1);
        }
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            if (!outcomes.deadLettered().contains(i)) {
                expected.merge(keys.get(i), 1, Integer::sum);
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            String key = keys.get(i);
            assertThat(outcomes.resultsByKey().getOrDefault(key, List.of()))
                    .as("first results under %s, for %s", key, cases.get(i).describe())
                    .hasSize(expected.getOrDefault(key, 0));
        }
        assertThat(outcomes.resultsByKey().values().stream().mapToInt(List::size).sum()
                + outcomes.deadLettered().size()).isEqualTo(cases.size());

        // No rejected or dead-lettered record reached the cloud.
        Set<String> postedPaths = cloud.findAll(postRequestedFor(urlPathMatching("/v3/.*/backups/restore/tables")))
                .stream().map(r -> r.getUrl()).collect(Collectors.toSet());
        int checked = 0;
        for (int i = 0; i < cases.size(); i++) {
            String key = keys.get(i);
            boolean rejected = outcomes.deadLettered().contains(i) || (casesByKey.get(key) == 1
                    && outcomes.resultsByKey().get(key).get(0).get("status").asText().equals("REJECTED"));
            if (rejected) {
                String instance = cases.get(i).instanceId();
                assertThat(postedPaths).as("POSTs for rejected " + cases.get(i).describe())
                        .noneMatch(path -> path.contains(instance));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(cases.size() / 2);
        for (JsonNode result : outcomes.resultsByKey().values().stream().flatMap(List::stream).toList()) {
            if (result.get("status").asText().equals("REJECTED")) {
                assertThat(result.get("error").get("message").asText()).isNotBlank();
            }
        }
        given().spec(Api.management()).get("/q/health/live").then().statusCode(200);
    }

    private record Outcomes(Map<Integer, Integer> deadLetters, Set<Integer> deadLettered,
            Map<String, List<JsonNode>> resultsByKey, Map<String, Long> statuses) {
        int answered() {
            return deadLettered.size() + resultsByKey.values().stream().mapToInt(List::size).sum();
        }
    }

    private static Outcomes outcomes(List<FuzzCases.Case> cases, List<RecordMetadata> landed, List<String> keys) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < landed.size(); i++) {
            positions.put(landed.get(i).partition() + "@" + landed.get(i).offset(), i);
        }
        Set<String> ourKeys = Set.copyOf(keys);
        Map<Integer, Integer> deadLetters = new HashMap<>();
        Map<String, List<JsonNode>> results = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TestTopics.seen()) {
            if (record.topic().equals(KafkaBroker.DLQ)) {
                Integer index = positions.get(TestTopics.header(record, "dead-letter-partition") + "@"
                        + TestTopics.header(record, "dead-letter-offset"));
                if (index != null && KafkaBroker.REQUESTS.equals(TestTopics.header(record, "dead-letter-topic"))) {
                    deadLetters.merge(index, 1, Integer::sum);
                }
            } else if (record.key() != null) {
                String key = new String(record.key(), StandardCharsets.UTF_8);
                if (ourKeys.contains(key)) {
                    JsonNode value = TestTopics.json(record);
                    if (FIRST_RESULTS.contains(value.get("status").asText())) {
                        results.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                    }
                }
            }
        }
        Map<String, Long> statuses = new TreeMap<>(results.values().stream().flatMap(List::stream)
                .collect(Collectors.groupingBy(r -> r.get("status").asText(), Collectors.counting())));
        return new Outcomes(deadLetters, deadLetters.keySet(), results, statuses);
    }

    /**
     * The contract's rule: a well-formed request_id, else a well-formed ce_id, else the business key of a valid
     * request or sha256 of an invalid record's bytes.
     */
    private static String expectedRequestId(FuzzCases.Case fuzz) throws Exception {
        try {
            JsonNode body = JSON.readTree(fuzz.value());
            if (body != null && body.isObject() && body.path("request_id").isTextual()
                    && WELL_FORMED_ID.matcher(body.get("request_id").asText()).matches()) {
                return body.get("request_id").asText();
            }
        } catch (Exception notJson) {
            // dead-lettered, matched by its position
        }
        byte[] ceId = fuzz.headers().get("ce_id");
        if (ceId != null) {
            String text = new String(ceId, StandardCharsets.UTF_8);
            if (WELL_FORMED_ID.matcher(text).matches()) {
                return text;
            }
        }
        // Without either, a valid request is named by its business key and an invalid one by its bytes.
        if (new io.gaussrestore.request.RecordDecoder(65536).decode(fuzz.value())
                instanceof io.gaussrestore.request.RecordDecoder.Decoded.Json json
                && VALIDATOR.check(json.object()) instanceof io.gaussrestore.request.RequestCheck.Valid valid) {
            return io.gaussrestore.request.BusinessKey.of(valid.request());
        }
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fuzz.value()));
    }

    private static final io.gaussrestore.request.RestoreRequestValidator VALIDATOR =
            new io.gaussrestore.request.RestoreRequestValidator(new io.gaussrestore.request.RequestRules(2000,
                    Duration.ofDays(5000), Duration.ofSeconds(60)), java.time.Clock.systemUTC()); // the test profile's
}
