package io.gaussrestore.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** The answers the WireMock cloud gives to restore POSTs. */
public final class CloudStubs {

    private CloudStubs() {
    }

    /** The cloud's answer to a restore it accepted: 200 with the job's id. */
    public static ResponseDefinitionBuilder job(String jobId) {
        return aResponse().withStatus(200).withBody("{\"job_id\": \"" + jobId + "\"}");
    }

    /** Every restore POST for the instance is accepted as the job given. */
    public static void acceptRestores(WireMockServer cloud, String instanceId, String jobId) {
        cloud.stubFor(post(urlPathEqualTo(Requests.restorePath(instanceId))).willReturn(job(jobId)));
    }

    /** Every restore POST for the instance is accepted as the job given, the answer coming {@code delayMillis} late. */
    public static void acceptRestoresSlowly(WireMockServer cloud, String instanceId, String jobId, int delayMillis) {
        cloud.stubFor(post(urlPathEqualTo(Requests.restorePath(instanceId))).willReturn(job(jobId)
                .withFixedDelay(delayMillis)));
    }
}
