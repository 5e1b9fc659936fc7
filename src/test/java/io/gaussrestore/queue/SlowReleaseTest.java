package io.gaussrestore.queue;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.gaussrestore.testing.Requests.restorePath;
import static io.gaussrestore.testing.Requests.statuses;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A request released from its instance's line that keeps waiting (here in its backoff while the cloud answers 500)
 * is neither cancelled by the queue's scheduler nor holds up the release of other instances' requests.
 */
@QuarkusTest
class SlowReleaseTest {

    @InjectCloudApi
    WireMockServer cloud;

    /** The instance answers busy (409 DBS.200019) to the first POST, then {@code afterBusy}; it shows ACTIVE. */
    private void busyOnce(String instance, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder afterBusy) {
        String scenario = "busy-" + instance;
        cloud.stubFor(post(urlPathEqualTo(restorePath(instance))).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("answered")
                .willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/json")
                        .withBody("{\"error_code\":\"DBS.200019\",\"error_msg\":\"another operation is running\"}")));
        cloud.stubFor(post(urlPathEqualTo(restorePath(instance))).inScenario(scenario)
                .whenScenarioStateIs("answered").willReturn(afterBusy));
        cloud.stubFor(get(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instance)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"instance\":{\"id\":\"" + instance + "\",\"status\":\"ACTIVE\"}}")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder job(String id) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"job_id\":\"" + id + "\"}");
    }

    private static String send(String instance) {
        String requestId = "slow-release-" + UUID.randomUUID();
        TestTopics.send(instance, io.gaussrestore.testing.Requests.request(requestId, instance));
        return requestId;
    }

    private int posts(String instance) {
        return cloud.findAll(postRequestedFor(urlPathEqualTo(restorePath(instance)))).size();
    }

    @Test
    void aReleaseInItsBackoffHoldsUpNoOtherInstanceAndIsNotCancelled() {
        String slow = instance();
        busyOnce(slow, aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"error_code\":\"DBS.200001\",\"error_msg\":\"internal error, try again\"}"));
        String slowRequest = send(slow);
        await().atMost(Duration.ofSeconds(30)).until(() -> statuses(slowRequest).contains("QUEUED"));
        // Released at its check and now retrying in its backoff.
        await().atMost(Duration.ofSeconds(30)).until(() -> posts(slow) >= 3);

        String fast = instance();
        busyOnce(fast, job("job-fast-" + fast));
        String fastRequest = send(fast);
        await("another instance's request released meanwhile").atMost(Duration.ofSeconds(15))
                .until(() -> statuses(fastRequest).contains("SUBMITTED"));
        assertThat(statuses(fastRequest)).containsExactly("QUEUED", "SUBMITTED");
        assertThat(statuses(slowRequest)).as("the slow one is still trying").containsExactly("QUEUED");

        cloud.stubFor(post(urlPathEqualTo(restorePath(slow))).atPriority(1).willReturn(job("job-slow-" + slow)));
        await().atMost(Duration.ofSeconds(15)).until(() -> statuses(slowRequest).size() > 1);
        assertThat(statuses(slowRequest)).containsExactly("QUEUED", "SUBMITTED");
        assertThat(TestTopics.resultValues(slowRequest).get(1).get("job_id").asText()).isEqualTo("job-slow-" + slow);
    }
}
