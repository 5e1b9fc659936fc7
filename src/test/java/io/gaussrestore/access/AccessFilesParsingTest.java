package io.gaussrestore.access;

import static io.gaussrestore.testing.Requests.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.request.RestoreRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key file and the policy file: what they accept, what they refuse and why, and the decisions they give. */
class AccessFilesParsingTest {

    private static RestoreRequest request(String project, String instance, int tables) {
        List<RestoreRequest.TableRename> names = java.util.stream.IntStream.range(0, tables)
                .mapToObj(i -> new RestoreRequest.TableRename("t" + i, "t" + i + "_b")).toList();
        return new RestoreRequest("r", project, instance, 1L, false,
                List.of(new RestoreRequest.DatabaseTables("db", names)), RestoreRequest.Audit.NONE);
    }

    private static RestorePolicy policy(String yaml) {
        WatchedFile.Parsed<RestorePolicy> parsed = RestorePolicy.parse(yaml, "test.yaml");
        assertThat(parsed.problem()).isNull();
        return parsed.content();
    }

    @Test
    void aKeyFileHoldsHashesAndNamesCallersAndRoles() {
        String key = "k".repeat(40);
        WatchedFile.Parsed<ApiKeys> parsed = ApiKeys.parse("# bots\n\n" + ApiKeys.hash(key) + "  incident-bot  "
                + "restore-requester,restore-viewer\n");
        assertThat(parsed.problem()).isNull();
        assertThat(parsed.content().caller(key)).contains(new ApiKeys.Caller("incident-bot",
                Set.of(Roles.REQUESTER, Roles.VIEWER)));
        assertThat(parsed.content().caller("k".repeat(41))).isEmpty();
        assertThat(parsed.content().caller("short")).isEmpty();
        assertThat(ApiKeys.hash(key)).startsWith("sha256:").hasSize(71);
    }

    @Test
    void aKeyFileWithAPlainKeyAnUnknownRoleOrAMissingFieldIsRefusedWhole() {
        assertThat(ApiKeys.parse(ApiKeys.hash("a".repeat(32)) + " bot restore-requester\nplain-key bot restore-requester\n")
                .problem()).contains("line 2").contains("never holds a plain key");
        assertThat(ApiKeys.parse(ApiKeys.hash("a".repeat(32)) + " bot admin\n").problem()).contains("roles must be among");
        assertThat(ApiKeys.parse(ApiKeys.hash("a".repeat(32)) + " bot\n").problem()).contains("found 2 field(s)");
        assertThat(ApiKeys.parse(ApiKeys.hash("a".repeat(32)) + " a restore-viewer\n" + ApiKeys.hash("a".repeat(32))
                + " b restore-viewer\n").problem()).contains("twice");
    }

    @Test
    void thePolicyAllowsListedInstancesAndPatternsAndDeniesTheRestNamingTheRule() {
        RestorePolicy policy = policy("""
                projects:
                  %s:
                    instances: ["0a*in07", "exactexactexactexactexactexact12in07"]
                    max_tables: 2
                    callers: [alice]
                    roles: [dba]
                """.formatted(PROJECT));
        String allowed = "0a" + "b".repeat(30) + "in07";
        assertThat(policy.check(request(PROJECT, allowed, 2), Optional.empty())).isEmpty();
        assertThat(policy.check(request(PROJECT, "exactexactexactexactexactexact12in07", 1), Optional.empty())).isEmpty();
        assertThat(policy.check(request(PROJECT, "ff" + "b".repeat(30) + "in07", 1), Optional.empty()))
                .get().extracting(RestorePolicy.Denial::rule).isEqualTo("projects." + PROJECT + ".instances");
        assertThat(policy.check(request(PROJECT, allowed, 3), Optional.empty())).get()
                .extracting(RestorePolicy.Denial::message).asString()
                .startsWith("rule projects." + PROJECT + ".max_tables: ").contains("names 3 tables");
        assertThat(policy.check(request("f".repeat(32), allowed, 1), Optional.empty())).get()
                .extracting(RestorePolicy.Denial::rule).isEqualTo("projects");
        assertThat(policy.check(request(PROJECT, allowed, 1), Optional.of(new RestorePolicy.Caller("alice", Set.of()))))
                .isEmpty();
        assertThat(policy.check(request(PROJECT, allowed, 1),
                Optional.of(new RestorePolicy.Caller("bob", Set.of("dba", Roles.REQUESTER))))).isEmpty();
        assertThat(policy.check(request(PROJECT, allowed, 1),
                Optional.of(new RestorePolicy.Caller("bob", Set.of(Roles.REQUESTER))))).get()
                .extracting(RestorePolicy.Denial::rule).isEqualTo("projects." + PROJECT + ".callers");
    }

    @Test
    void theHourlyLimitDeniesOnceTheCountReachesIt() {
        RestorePolicy policy = policy("projects:\n  %s:\n    instances: ['*']\n    max_restores_per_instance_per_hour: 2\n"
                .formatted(PROJECT));
        RestoreRequest request = request(PROJECT, "i".repeat(32) + "in07", 1);
        assertThat(policy.checkHourly(request, 1)).isEmpty();
        assertThat(policy.checkHourly(request, 2)).get().extracting(RestorePolicy.Denial::message).asString()
                .contains("max_restores_per_instance_per_hour").contains("already had 2 restore(s)");
        assertThat(RestorePolicy.OPEN.checkHourly(request, 1_000)).isEmpty();
        assertThat(RestorePolicy.OPEN.check(request, Optional.empty())).isEmpty();
    }

    @Test
    void aBrokenPolicyIsRefusedWithWhereItIsBroken() {
        assertThat(RestorePolicy.parse("projects:\n  - this is: [not a mapping\n", "p").problem()).isNotNull();
        assertThat(RestorePolicy.parse("projects: [a, b]\n", "p").problem()).contains("mapping from project_id");
        assertThat(RestorePolicy.parse("project: {}\n", "p").problem()).contains("unknown key 'project'");
        assertThat(RestorePolicy.parse("projects:\n  p1:\n    instances: []\n", "p").problem())
                .contains("projects.p1.instances must be a non-empty list");
        assertThat(RestorePolicy.parse("projects:\n  p1:\n    instances: ['*']\n    max_table: 3\n", "p").problem())
                .contains("unknown rule 'max_table'");
        assertThat(RestorePolicy.parse("projects:\n  p1:\n    instances: ['*']\n    max_tables: -3\n", "p").problem())
                .contains("whole numbers");
    }

    @Test
    void aWatchedFileKeepsTheLastGoodVersionWhileTheFileIsBroken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "projects:\n  %s:\n    instances: ['*']\n".formatted(PROJECT));
        WatchedFile<RestorePolicy> watched = new WatchedFile<>("policy", file, RestorePolicy.closed("none yet"),
                text -> RestorePolicy.parse(text, "policy.yaml"));
        assertThat(watched.refresh()).isTrue();
        assertThat(watched.refresh()).isFalse();
        Files.writeString(file, "projects: {{{{");
        assertThat(watched.refresh()).isFalse();
        assertThat(watched.problem()).contains("not valid YAML");
        assertThat(watched.current().projects()).containsKey(PROJECT);
        Files.delete(file);
        assertThat(watched.refresh()).isFalse();
        assertThat(watched.problem()).contains("cannot be read");
        Files.writeString(file, "projects:\n  other:\n    instances: ['*']\n");
        assertThat(watched.refresh()).isTrue();
        assertThat(watched.problem()).isNull();
        assertThat(watched.current().projects()).containsOnlyKeys("other");
    }
}
