package io.gaussrestore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The arithmetic of the benchmark: rates, percentiles, the table and the chart. Pure. */
final class Measure {

    private Measure() {}

    /** One scenario run: when each record was sent, its group, when its first results came, CPU and memory. */
    record Run(Map<String, List<Long>> sentAt, Map<String, String> groupOf, Map<String, List<Long>> firstResults,
            long cpuMillis, long residentMegabytes) {

        int records() {
            return sentAt.values().stream().mapToInt(List::size).sum();
        }

        /** Time to first result of every record of a group, ms: the n-th result of an id answers its n-th record. */
        List<Long> latencies(String group) {
            List<Long> latencies = new ArrayList<>();
            sentAt.forEach((id, sent) -> {
                if (!group.equals(groupOf.get(id))) {
                    return;
                }
                List<Long> sentSorted = new ArrayList<>(sent);
                List<Long> results = new ArrayList<>(firstResults.getOrDefault(id, List.of()));
                Collections.sort(sentSorted);
                Collections.sort(results);
                for (int i = 0; i < Math.min(sentSorted.size(), results.size()); i++) {
                    latencies.add(Math.max(0, results.get(i) - sentSorted.get(i)));
                }
            });
            Collections.sort(latencies);
            return latencies;
        }

        long firstSent(String group) {
            return sentAt.entrySet().stream().filter(e -> group.equals(groupOf.get(e.getKey())))
                    .flatMap(e -> e.getValue().stream()).mapToLong(Long::longValue).min().orElse(0);
        }

        long lastResult(String group) {
            return firstResults.entrySet().stream().filter(e -> group.equals(groupOf.get(e.getKey())))
                    .flatMap(e -> e.getValue().stream()).mapToLong(Long::longValue).max().orElse(0);
        }

        /** First results of a group in each second from its first record sent. */
        long[] perSecond(String group) {
            long start = firstSent(group);
            int seconds = (int) ((lastResult(group) - start) / 1000) + 1;
            long[] counts = new long[Math.max(1, seconds)];
            firstResults.forEach((id, times) -> {
                if (group.equals(groupOf.get(id))) {
                    for (long t : times) {
                        counts[(int) Math.min(counts.length - 1, Math.max(0, (t - start) / 1000))]++;
                    }
                }
            });
            return counts;
        }
    }

    /** One line of the table; NaN where a figure does not apply. */
    record Row(String scenario, long records, double perSecond, double p50Millis, double p99Millis,
            double postsPerRestore, double share429, double cpuMillisPerRecord, long rssMegabytes, String note) {}

    static Row row(String scenario, Run run, String group, List<JsonNode> posts, int uniqueRestores, Row baseline) {
        List<Long> latencies = run.latencies(group);
        double seconds = Math.max(0.001, (run.lastResult(group) - run.firstSent(group)) / 1000.0);
        double perSecond = latencies.size() / seconds;
        long throttled = posts.stream().filter(p -> p.path("status").asInt() == 429).count();
        String note = baseline == null || Double.isNaN(baseline.perSecond()) ? ""
                : "%.1fx the sequential baseline's rate".formatted(perSecond / baseline.perSecond());
        return new Row(scenario, latencies.size(), perSecond, percentile(latencies, 50), percentile(latencies, 99),
                uniqueRestores == 0 ? Double.NaN : posts.size() / (double) uniqueRestores,
                posts.isEmpty() ? Double.NaN : 100.0 * throttled / posts.size(),
                run.cpuMillis() / (double) Math.max(1, run.records()), run.residentMegabytes(), note);
    }

    static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String table(List<Row> rows, List<Duration> starts, LocalDate date, int cores) {
        StringBuilder out = new StringBuilder();
        out.append("Benchmark of ").append(date).append(", ").append(cores).append(" cores\n\n");
        out.append("| scenario | records | first results/s | p50 ms | p99 ms | POSTs per unique restore | 429 share | "
                + "service CPU ms per record | RSS MB | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            out.append("| ").append(row.scenario()).append(" | ").append(row.records()).append(" | ")
                    .append(figure(row.perSecond(), "%.0f")).append(" | ").append(figure(row.p50Millis(), "%.0f"))
                    .append(" | ").append(figure(row.p99Millis(), "%.0f")).append(" | ")
                    .append(figure(row.postsPerRestore(), "%.2f")).append(" | ")
                    .append(figure(row.share429(), "%.2f%%")).append(" | ")
                    .append(figure(row.cpuMillisPerRecord(), "%.2f")).append(" | ").append(row.rssMegabytes())
                    .append(" | ").append(row.note()).append(" |\n");
        }
        List<Long> millis = starts.stream().map(Duration::toMillis).sorted().toList();
        if (!millis.isEmpty()) {
            out.append("\nProduction jar, launch to ready (with its class archive, as the image builds it): ").append(millis.size()).append(" starts, fastest ")
                    .append(seconds(millis.get(0))).append(", median ").append(seconds(millis.get(millis.size() / 2)))
                    .append(", slowest ").append(seconds(millis.get(millis.size() - 1))).append("\n");
        }
        return out.toString();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String figure(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }

    /** First results per second of each series, as an SVG line chart. */
    static String chart(Map<String, long[]> series) {
        int width = 900;
        int height = 420;
        int left = 70;
        int bottom = 40;
        int top = 20;
        int right = 230;
        long maxY = Math.max(1, series.values().stream().flatMapToLong(java.util.Arrays::stream).max().orElse(1));
        int maxX = Math.max(1, series.values().stream().mapToInt(s -> s.length).max().orElse(1));
        double sx = (width - left - right) / (double) maxX;
        double sy = (height - top - bottom) / (double) maxY;
        String[] colours = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int x0 = left;
        int y0 = height - bottom;
        svg.append("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n".formatted(x0, y0, width - right, y0));
        svg.append("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n".formatted(x0, y0, x0, top));
        svg.append("<text x=\"%d\" y=\"%d\">seconds from the first request</text>\n".formatted(x0 + 150, height - 8));
        svg.append("<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\">first results per second</text>\n"
                .formatted(y0 - 60, y0 - 60));
        for (int i = 0; i <= 4; i++) {
            long value = maxY * i / 4;
            double y = y0 - value * sy;
            svg.append("<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%d</text>\n".formatted(x0 - 6, y + 4, value));
            long second = (long) maxX * i / 4;
            svg.append("<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n".formatted(x0 + second * sx, y0 + 16, second));
        }
        int index = 0;
        for (Map.Entry<String, long[]> entry : series.entrySet()) {
            String colour = colours[index % colours.length];
            StringBuilder points = new StringBuilder();
            long[] values = entry.getValue();
            for (int i = 0; i < values.length; i++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x0 + (i + 0.5) * sx, y0 - values[i] * sy));
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                    .append(points.toString().trim()).append("\"/>\n");
            int ly = top + 16 + index * 18;
            svg.append("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n".formatted(width - right + 12, ly - 10, colour));
            svg.append("<text x=\"%d\" y=\"%d\">%s</text>\n".formatted(width - right + 30, ly, escape(entry.getKey())));
            index++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
