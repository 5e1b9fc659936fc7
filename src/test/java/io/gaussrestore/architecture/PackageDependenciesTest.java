package io.gaussrestore.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The feature packages depend on each other one way only: no package reaches itself through others. */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "gaussrestore");
    private static final Pattern REFERENCE = Pattern.compile("io\\.gaussrestore\\.([a-z]+)\\.[A-Z]");

    @Test
    void thePackageGraphHasNoCycle() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertThat(graph).containsKeys("pipeline", "ledger", "gaussdb", "auth", "throttling", "cloud");
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            findCycle(graph, start, start, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void onlyTheKafkaDoorCallsThePipeline() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertThat(graph.get("messaging")).contains("pipeline");
        graph.forEach((from, to) -> {
            if (!from.equals("messaging") && !from.equals("pipeline")) {
                assertThat(to).as(from + " calls up into the pipeline").doesNotContain("pipeline");
            }
        });
    }

    @Test
    void theConsoleAndTheHttpDoorSeeOnlyTheLedgersReads() throws IOException {
        Set<String> writers = Set.of("IdempotencyLedger", "RequestClaims", "InstanceLines", "FirstPublications",
                "JobRecords", "JdbcIdempotencyLedger", "LedgerStore");
        Map<String, Set<String>> seen = new TreeMap<>();
        for (String door : List.of("console", "http")) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(door))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher matcher = Pattern.compile("\\bledger\\.([A-Z][A-Za-z]*)").matcher(Files.readString(file));
                    while (matcher.find()) {
                        seen.computeIfAbsent(door, k -> new TreeSet<>()).add(matcher.group(1));
                    }
                }
            }
        }
        assertThat(seen.get("console")).as("the console reads the ledger").contains("LedgerReads");
        assertThat(seen.get("http")).as("the HTTP door reads the ledger").contains("LedgerReads");
        seen.forEach((door, types) -> assertThat(types).as(door + "'s ledger types").doesNotContainAnyElementsOf(writers));
    }

    @Test
    void theServiceKnowsNothingOfTheSimulatorAndTheSimulatorOnlyItsSigner() throws IOException {
        assertThat(graph().values()).allSatisfy(targets -> assertThat(targets).doesNotContain("simulator"));
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "simulator", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = Pattern.compile("io\\.gaussrestore\\.([a-z]+)\\.([A-Z][A-Za-z]*)")
                        .matcher(Files.readString(file));
                while (matcher.find()) {
                    if (!matcher.group(1).equals("simulator")) {
                        used.add(matcher.group(1) + "." + matcher.group(2));
                    }
                }
            }
        }
        assertThat(used).as("what the simulator takes from the service").containsExactly("auth.AkSkSigner");
    }

    private static void findCycle(Map<String, Set<String>> graph, String start, String at, List<String> path,
            Set<String> visited, List<String> cycles) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (visited.add(next)) {
                path.add(next);
                findCycle(graph, start, next, path, visited, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    private static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file).getName(0).toString();
                Matcher matcher = REFERENCE.matcher(Files.readString(file));
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                while (matcher.find()) {
                    if (!matcher.group(1).equals(from)) {
                        to.add(matcher.group(1));
                    }
                }
            }
        }
        return graph;
    }
}
