package io.gaussrestore.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gaussrestore.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules, their unit tests and the dashboard: promtool checks and tests the rules (it comes with
 * Debian's prometheus package, which .ci/run installs), and every alert and panel carries what on-call needs.
 */
class MonitoringFilesTest {

    static final Path MONITORING = Path.of("deploy", "monitoring");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The promtool on the PATH, or the test is skipped saying how to get it. */
    static String promtool() {
        return Commands.onPath("promtool", "prometheus", "the alert rules were");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    static List<JsonNode> alerts() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        YAML.readTree(MONITORING.resolve("alerts.yaml").toFile()).get("groups")
                .forEach(group -> group.get("rules").forEach(rules::add));
        return rules;
    }

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
        String promtool = promtool();
        assertThat(run(promtool, "check", "rules", MONITORING.resolve("alerts.yaml").toString()))
                .contains("SUCCESS: " + alerts().size() + " rules found");
        String tests = run(promtool, "test", "rules", MONITORING.resolve("alerts-test.yaml").toString());
        assertThat(tests).contains("SUCCESS");
        System.out.println("promtool: " + alerts().size() + " alert rules checked, unit tests passed");
    }

    @Test
    void everyAlertCanBeActedOnAndIsTestedFiringAndQuiet() throws Exception {
        String runbook = Files.readString(Path.of("docs", "runbook.md"));
        JsonNode tests = YAML.readTree(MONITORING.resolve("alerts-test.yaml").toFile()).get("tests");
        Set<String> fired = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        tests.forEach(test -> test.get("alert_rule_test").forEach(check -> {
            (check.get("exp_alerts").isEmpty() ? quiet : fired).add(check.get("alertname").asText());
        }));
        List<JsonNode> alerts = alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode alert : alerts) {
            String name = alert.get("alert").asText();
            assertThat(name).startsWith("GaussdbRestore");
            assertThat(alert.path("for").asText()).as(name + " for").isNotBlank();
            assertThat(alert.at("/labels/severity").asText()).as(name + " severity").isIn("critical", "warning");
            assertThat(alert.at("/annotations/summary").asText()).as(name + " summary").isNotBlank();
            assertThat(alert.at("/annotations/description").asText()).as(name + " description").isNotBlank();
            String anchor = name.toLowerCase(Locale.ROOT);
            assertThat(alert.at("/annotations/runbook_url").asText()).as(name + " runbook").endsWith("docs/runbook.md#" + anchor);
            assertThat(runbook).as("the runbook has a section for " + name).contains("\n## " + name + "\n");
            assertThat(fired).as(name + " is tested firing").contains(name);
            assertThat(quiet).as(name + " is tested quiet").contains(name);
        }
        for (String section : List.of("Resolving an UNKNOWN", "Replaying the dead-letter topic",
                "Rotating cloud credentials", "Draining a replica")) {
            assertThat(runbook).contains("### " + section);
        }
    }

    @Test
    void everyPanelHasAUnitADescriptionAndTheDashboardsVariables() throws Exception {
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("dashboard.json").toFile());
        List<String> variables = new ArrayList<>();
        dashboard.at("/templating/list").forEach(v -> variables.add(v.get("name").asText()));
        assertThat(variables).contains("namespace", "instance");
        assertThat(dashboard.get("panels")).hasSizeGreaterThanOrEqualTo(14);
        for (JsonNode panel : dashboard.get("panels")) {
            String title = panel.get("title").asText();
            assertThat(panel.path("description").asText()).as(title).isNotBlank();
            assertThat(panel.at("/fieldConfig/defaults/unit").asText()).as(title).isNotBlank();
            assertThat(panel.get("targets")).as(title).isNotEmpty();
            panel.get("targets").forEach(target -> assertThat(target.get("expr").asText()).as(title)
                    .contains("instance=~\"$instance\"").contains("namespace=~\"$namespace\""));
        }
        assertThat(Files.readString(MONITORING.resolve("grafana-provisioning.yaml"))).contains("providers:");
    }

    /** The panel queries with the dashboard's variables set to "all". */
    static List<String> panelQueries() throws Exception {
        List<String> queries = new ArrayList<>();
        JSON.readTree(MONITORING.resolve("dashboard.json").toFile()).get("panels").forEach(panel ->
                panel.get("targets").forEach(target -> queries.add(panel.get("title").asText() + "\t"
                        + target.get("expr").asText().replace("$namespace", ".*").replace("$instance", ".*"))));
        return queries;
    }
}
