package io.gaussrestore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic: the figures it prints must be right before they are believed. */
class MeasureTest {

    private static final Measure.Run RUN = new Measure.Run(
            Map.of("a", List.of(1_000L), "b", List.of(1_000L, 1_100L), "c", List.of(1_050L)),
            Map.of("a", "valid", "b", "valid", "c", "other"),
            Map.of("a", List.of(1_200L), "b", List.of(2_100L, 1_150L), "c", List.of(1_060L)),
            500, 200);

    @Test
    void theNthResultOfAnIdAnswersItsNthRecord() {
        assertThat(RUN.latencies("valid")).containsExactly(150L, 200L, 1_000L);
        assertThat(RUN.latencies("other")).containsExactly(10L);
    }

    @Test
    void ratesPercentilesAndCpuPerRecord() {
        Measure.Row row = Measure.row("valid", RUN, "valid", List.of(), 3, null);

        assertThat(row.records()).isEqualTo(3);
        assertThat(row.perSecond()).as("3 results from 1.000 s to 2.100 s").isCloseTo(3 / 1.1, org.assertj.core.data.Offset.offset(0.01));
        assertThat(row.p50Millis()).isEqualTo(200);
        assertThat(row.p99Millis()).isEqualTo(1_000);
        assertThat(row.cpuMillisPerRecord()).as("500 ms over 4 records").isEqualTo(125);
        assertThat(row.postsPerRestore()).isZero();
        assertThat(Measure.percentile(List.of(), 50)).isNaN();
    }

    @Test
    void firstResultsPerSecondAndTheTable() {
        assertThat(RUN.perSecond("valid")).containsExactly(2, 1);
        String table = Measure.table(List.of(Measure.row("valid <x>", RUN, "valid", List.of(), 3, null)),
                List.of(Duration.ofMillis(1_800), Duration.ofMillis(1_500)), LocalDate.of(2026, 11, 29), 2);
        assertThat(table).contains("2026-11-29, 2 cores").contains("| valid <x> | 3 | 3 | 200 | 1000 |")
                .contains("fastest 1.50 s, median 1.80 s");
        assertThat(Measure.chart(Map.of("valid <x>", RUN.perSecond("valid")))).contains("<polyline")
                .contains("valid &lt;x&gt;").doesNotContain("<x>");
    }
}
