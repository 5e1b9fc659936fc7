package io.gaussrestore.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** WireMock as the cloud for multi-process tests: accepts every restore and counts them by business content. */
final class CloudJournal implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    CloudJournal(int delayMillis) {
        server.start();
        server.stubFor(post(urlPathMatching("/v3/.*/backups/restore/tables")).willReturn(aResponse().withStatus(200)
                .withUniformRandomDelay(delayMillis / 2, delayMillis)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"job_id\": \"{{randomValue type='UUID'}}\"}")
                .withTransformers("response-template")));
    }

    String url() {
        return server.baseUrl();
    }

    List<LoggedRequest> posts() {
        return server.findAll(postRequestedFor(urlPathMatching("/v3/.*/backups/restore/tables")));
    }

    /** How many POSTs each restore (path plus time, structure flag and sorted tables) received. */
    Map<String, Integer> postsByRestore() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (LoggedRequest post : posts()) {
            JsonNode body = JSON.readTree(post.getBodyAsString());
            List<String> tables = new ArrayList<>();
            for (JsonNode db : body.get("restore_tables")) {
                for (JsonNode t : db.get("tables")) {
                    tables.add(db.get("database").asText() + "." + t.get("old_name").asText() + ">" + t.get("new_name").asText());
                }
            }
            tables.sort(String::compareTo);
            String restore = post.getUrl() + "|" + body.get("restore_time").asText() + "|"
                    + body.get("last_table_info").asText() + "|" + tables;
            counts.merge(restore, 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        server.stop();
    }
}
