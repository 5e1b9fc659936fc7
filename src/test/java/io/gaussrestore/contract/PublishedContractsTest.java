package io.gaussrestore.contract;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.gaussrestore.result.ResultStatus;
import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.CloudApiMock.InjectCloudApi;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The published contracts (docs/api/openapi.*, docs/schemas/*.schema.json, docs/asyncapi.yaml) against what the
 * service really does: results it produced and the documented examples validate against the schemas, and the
 * documents fail the build when the code moves without them.
 */
@QuarkusTest
class PublishedContractsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @InjectCloudApi
    WireMockServer cloud;

    private static Schema schema(String name) throws Exception {
        return SCHEMAS.getSchema(Files.readString(Path.of("docs", "schemas", name)));
    }

    private static void assertValid(Schema schema, String instance) {
        List<Error> errors = schema.validate(instance, InputFormat.JSON);
        assertThat(errors).as(instance).isEmpty();
    }

    /** The ```json blocks of a markdown file that follow a heading starting with the given text. */
    private static List<String> jsonExamples(Path file, String heading) throws Exception {
        String text = Files.readString(file);
        int start = text.indexOf("\n## " + heading);
        int end = text.indexOf("\n## ", start + 4);
        Matcher blocks = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL)
                .matcher(text.substring(start, end < 0 ? text.length() : end));
        List<String> found = new ArrayList<>();
        while (blocks.find()) {
            found.add(blocks.group(1));
        }
        return found;
    }

    private static String request(String requestId, String instance, String extra) {
        return """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1690890940000,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_b"}]}]%s}
                """.formatted(requestId, PROJECT, instance, extra);
    }

    @Test
    void theDocumentedExamplesFollowTheSchemas() throws Exception {
        Path contract = Path.of("docs", "contract.md");
        List<String> requests = jsonExamples(contract, "Request event");
        List<String> results = jsonExamples(contract, "Result event");
        assertThat(requests).isNotEmpty();
        assertThat(results).hasSizeGreaterThanOrEqualTo(2);
        for (String example : requests) {
            assertValid(schema("restore-request.schema.json"), example);
        }
        for (String example : results) {
            assertValid(schema("restore-result.schema.json"), example);
        }
        List<Error> broken = schema("restore-request.schema.json").validate(
                "{\"project_id\": \"short\", \"restore_tables\": []}", InputFormat.JSON);
        assertThat(broken).as("the schema refuses what the service rejects").hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void resultsTheServiceProducesFollowTheResultSchema() throws Exception {
        TestTopics.startReader();
        String instance = instance();
        String refused = instance();
        cloud.stubFor(post(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + instance + "/backups/restore/tables"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"job_id\": \"" + UUID.randomUUID() + "\"}")));
        cloud.stubFor(post(urlPathEqualTo("/v3/" + PROJECT + "/instances/" + refused + "/backups/restore/tables"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error_code\": \"DBS.200823\", \"error_msg\": \"The database does not exist.\"}")));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = List.of("contract-ok-" + tag, "contract-dup-" + tag, "contract-bad-" + tag,
                "contract-failed-" + tag);
        TestTopics.send(instance, request(ids.get(0), instance, ", \"requested_by\": \"bot\", \"ticket\": \"INC-1\""));
        TestTopics.send(instance, request(ids.get(1), instance, ""));
        TestTopics.send(instance, "{\"request_id\": \"" + ids.get(2) + "\", \"project_id\": \"x\"}");
        TestTopics.send(refused, request(ids.get(3), refused, ""));
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> !TestTopics.results(id).isEmpty()));

        Schema result = schema("restore-result.schema.json");
        Set<String> statuses = new TreeSet<>();
        for (String id : ids) {
            for (var record : TestTopics.results(id)) {
                String value = new String(record.value(), StandardCharsets.UTF_8);
                assertValid(result, value);
                statuses.add(JSON.readTree(value).get("status").asText());
                assertThat(TestTopics.header(record, "ce_type")).matches("gaussdb\\.restore\\.[a-z_]+");
            }
            assertValid(result, Api.asBot().get("/restores/" + id).then().statusCode(200).extract().asString());
        }
        assertThat(statuses).containsExactlyInAnyOrder("SUBMITTED", "DUPLICATE", "REJECTED", "FAILED");
    }

    @Test
    void theResultSchemaNamesEveryStatusAndTheAsyncApiDocumentTheTopics() throws Exception {
        JsonNode result = JSON.readTree(Path.of("docs", "schemas", "restore-result.schema.json").toFile());
        Set<String> documented = new TreeSet<>();
        result.at("/properties/status/enum").forEach(s -> documented.add(s.asText()));
        Set<String> inCode = new TreeSet<>();
        Arrays.stream(ResultStatus.values()).forEach(s -> inCode.add(s.name()));
        assertThat(documented).isEqualTo(inCode);

        JsonNode asyncapi = YAML.readTree(Path.of("docs", "asyncapi.yaml").toFile());
        assertThat(asyncapi.get("asyncapi").asText()).startsWith("3.");
        Properties config = new Properties();
        config.load(Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties")));
        for (String[] channel : new String[][] {{"requests", "mp.messaging.incoming.restore-requests.topic"},
                {"results", "mp.messaging.outgoing.restore-results.topic"},
                {"deadLetters", "mp.messaging.incoming.restore-requests.dead-letter-queue.topic"}}) {
            String value = config.getProperty(channel[1]);
            String defaultTopic = value.substring(value.indexOf(':') + 1, value.length() - 1);
            assertThat(asyncapi.at("/channels/" + channel[0] + "/address").asText()).isEqualTo(defaultTopic);
        }
        for (String message : List.of("restoreRequest", "restoreResult")) {
            String ref = asyncapi.at("/components/messages/" + message + "/payload/schema/$ref").asText();
            assertThat(Path.of("docs").resolve(ref)).exists();
        }
    }

    @Test
    void theOpenApiDocumentIsServedOnTheManagementPortAndCommittedAsBuilt() throws Exception {
        JsonNode served = JSON.readTree(Api.management().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString());
        assertThat(served.at("/paths/~1restores/post/responses").fieldNames()).toIterable()
                .contains("202", "400", "403", "413", "415");
        assertThat(served.at("/components/securitySchemes").fieldNames()).toIterable().contains("api-key", "bearer-jwt");
        assertThat(served.get("paths").has("/simulator")).isFalse();
        Path stored = Path.of("docs", "api", "openapi.json");
        assertThat(JSON.readTree(stored.toFile())).as("docs/api/openapi.json is what the build writes").isEqualTo(served);
        // The build writes docs/api; a difference from the committed file means the API moved without its document.
        Process git = new ProcessBuilder("git", "status", "--porcelain", "--", "docs/api").redirectErrorStream(true).start();
        String changes = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0) {
            assertThat(changes).as("the OpenAPI document changed with the code: commit docs/api").isEmpty();
        } else {
            System.out.println("contracts: not a git checkout, the committed OpenAPI document was not compared");
        }
    }
}
