package io.gaussrestore.drills;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** What every drill shares: its size, its random seed, waiting until a batch is settled, and reporting figures. */
final class Drills {

    static final boolean FULL = Boolean.getBoolean("drills.full");
    static final Random RANDOM = new Random(Long.getLong("drills.seed", 14L));
    static final Path REPORT = Path.of("target", "drills", "results.md");

    private Drills() {}

    /** Starts the report file once per run. */
    static void startReport() throws Exception {
        Files.createDirectories(REPORT.getParent());
        if (!Files.exists(REPORT)) {
            Files.writeString(REPORT, "| drill | figures | date |\n|---|---|---|\n");
        }
    }

    static Map<String, List<Outcomes.Result>> awaitSettled(DrillStack stack, Batch batch, Duration atMost) {
        Map<String, List<Outcomes.Result>> results = new HashMap<>();
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
                results.clear();
                results.putAll(Outcomes.byRequest(stack.topics.results(), batch.recordsPerId.keySet()));
                return Outcomes.allSettled(results, batch.recordsPerId);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            long missing = batch.recordsPerId.keySet().stream().filter(id -> results.getOrDefault(id, List.of()).stream()
                    .noneMatch(r -> Outcomes.SETTLED.contains(r.status()))).count();
            List<String> short_ = Outcomes.shortOfResults(results, batch.recordsPerId);
            StringBuilder why = new StringBuilder(missing + " request(s) unsettled, " + short_.size()
                    + " request id(s) with fewer outcomes than records sent after " + atMost + "; e.g. "
                    + batch.recordsPerId.keySet().stream().filter(id -> !results.containsKey(id)).limit(5).toList());
            for (String id : short_.subList(0, Math.min(3, short_.size()))) {
                why.append("\n  ").append(id).append(": ").append(batch.recordsPerId.get(id)).append(" record(s), results ")
                        .append(results.getOrDefault(id, List.of()).stream()
                                .map(r -> r.status() + "/" + r.ceId() + "@" + r.at()).toList());
                why.append("\n    ledger: ").append(stack.ledgerRow(id)).append(stack.logLinesAbout(id, 12));
            }
            why.append("\n  dead letters: ").append(stack.topics.deadLetterRecords().size());
            stack.topics.deadLetterRecords().stream().limit(3).forEach(r -> why.append("\n    ")
                    .append(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8), 0,
                            Math.min(400, r.value().length)));
            throw new AssertionError(why.toString(), e);
        }
        return results;
    }

    static void report(String drill, String format, Object... args) throws Exception {
        String figures = format.formatted(args);
        System.out.println("DRILL " + drill + (FULL ? " (full)" : " (suite)") + ": " + figures);
        Files.writeString(REPORT, "| %s%s | %s | %s |%n".formatted(drill, FULL ? "" : " (short)",
                figures.replace("|", "/"), LocalDate.now()), StandardOpenOption.APPEND);
    }
}
