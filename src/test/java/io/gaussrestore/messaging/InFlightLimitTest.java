package io.gaussrestore.messaging;

import static io.gaussrestore.testing.Requests.PROJECT;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The in-flight limit (16 in the test profile): records for many instances run side by side, never more than the
 * limit at once, and a record waiting for a slot is let in as soon as one frees.
 */
@QuarkusTest
class InFlightLimitTest {

    private static final int LIMIT = 16;
    private static final Duration CLOUD_TAKES = Duration.ofMillis(1500);

    @InjectCloudApi
    WireMockServer cloud;

    @Test
    void requestsForManyInstancesRunSideBySideYetNeverMoreThanTheLimit() {
        String prefix = slowCloud();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String instance = instance(prefix);
            String id = "in-flight-" + prefix + "-" + i;
            ids.add(id);
            TestTopics.send(instance, body(id, instance, "t"));
        }

        // Each waiting record is let in when a slot frees: 40 calls of 1.5 s, 16 at a time, in well under a minute.
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));
        assertThat(ids).allSatisfy(id -> assertThat(TestTopics.resultValues(id).get(0).get("status").asText())
                .isEqualTo("SUBMITTED"));

        // A record holds its slot for longer than its call, so calls that began less than the call's length apart
        // ran at the same time.
        List<Long> starts = cloud.findAll(postRequestedFor(urlPathMatching("/v3/" + PROJECT + "/instances/" + prefix + ".*")))
                .stream().map(LoggedRequest::getLoggedDate).map(d -> d.getTime()).sorted().toList();
        assertThat(starts).hasSize(40);
        int most = 0;
        for (int i = 0; i < starts.size(); i++) {
            int together = 0;
            for (int j = i; j < starts.size() && starts.get(j) - starts.get(i) < CLOUD_TAKES.toMillis() - 100; j++) {
                together++;
            }
            most = Math.max(most, together);
        }
        assertThat(most).as("calls at the same time").isLessThanOrEqualTo(LIMIT).isGreaterThan(1);
    }

    @Test
    void aRecordAnsweredWithoutTheCloudDoesNotWaitForTheCloudsSlots() {
        String prefix = slowCloud();
        // One record key for all: one partition, read in this order. The valid requests (each for an instance of its
        // own) take every slot to the cloud for 1.5 s; the rule-breaking record read after them must not wait for one.
        String key = "slots-" + prefix;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            String instance = instance(prefix);
            String id = "slots-" + prefix + "-" + i;
            ids.add(id);
            TestTopics.send(key, body(id, instance, "t"));
        }
        String invalid = "slots-" + prefix + "-invalid";
        TestTopics.send(key, body(invalid, instance(prefix), "t#1"));

        await().atMost(Duration.ofSeconds(30)).until(() -> !TestTopics.results(invalid).isEmpty());
        assertThat(TestTopics.resultValues(invalid).get(0).get("status").asText()).isEqualTo("REJECTED");
        assertThat(ids.stream().filter(id -> !TestTopics.results(id).isEmpty()).toList())
                .as("requests answered before the rule-breaking record read after them").isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));
        assertThat(ids).allSatisfy(id -> assertThat(TestTopics.resultValues(id).get(0).get("status").asText())
                .isEqualTo("SUBMITTED"));
    }

    /** Restores on the instances of a fresh prefix take {@link #CLOUD_TAKES}; answers the prefix. */
    private String slowCloud() {
        String prefix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        cloud.stubFor(post(urlPathMatching("/v3/" + PROJECT + "/instances/" + prefix + "[0-9a-f]{24}in07/backups/restore/tables"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withFixedDelay((int) CLOUD_TAKES.toMillis()).withBody("{\"job_id\": \"job-" + prefix + "\"}")));
        return prefix;
    }

    private static String instance(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24) + "in07";
    }

    private static String body(String id, String instance, String table) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "db", "tables": [{"old_name": "%s", "new_name": "t_back"}]}]}
                """.formatted(id, PROJECT, instance, table);
    }
}
