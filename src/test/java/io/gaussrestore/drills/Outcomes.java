package io.gaussrestore.drills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a drill's requests came to, read from outside the service: the result topic and the simulator's journal.
 * Pure functions of those records, so that every figure a drill prints can be recomputed.
 */
final class Outcomes {

    /** Statuses that settle a request's submission: it was sent, or it never will be. */
    static final Set<String> SETTLED = Set.of("SUBMITTED", "RUNNING", "COMPLETED", "DUPLICATE", "UNKNOWN", "FAILED",
            "REJECTED", "CANCELLED");
    /** Outcomes of which a request may have exactly one. */
    static final Set<String> EXCLUSIVE = Set.of("SUBMITTED", "DUPLICATE", "UNKNOWN", "FAILED", "REJECTED", "CANCELLED");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Outcomes() {}

    /** One result record, read. */
    record Result(String requestId, String status, String ceId, String jobId, Instant at, JsonNode body) {}

    static Map<String, List<Result>> byRequest(List<ConsumerRecord<byte[], byte[]>> records, Set<String> requestIds) {
        Map<String, List<Result>> results = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!requestIds.contains(key)) {
                continue;
            }
            JsonNode body;
            try {
                body = JSON.readTree(record.value());
            } catch (Exception e) {
                throw new IllegalStateException("a result that is not JSON: " + new String(record.value(), StandardCharsets.UTF_8), e);
            }
            String ceId = record.headers().lastHeader("ce_id") == null ? null
                    : new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
            results.computeIfAbsent(key, k -> new ArrayList<>()).add(new Result(key, body.path("status").asText(),
                    ceId, body.hasNonNull("job_id") ? body.get("job_id").asText() : null,
                    Instant.ofEpochMilli(record.timestamp()), body));
        }
        return results;
    }

    /** Every request has an exclusive outcome for each record sent with its id. */
    static boolean allSettled(Map<String, List<Result>> results, Map<String, Integer> recordsPerId) {
        return recordsPerId.entrySet().stream().allMatch(e -> exclusiveEvents(results.getOrDefault(e.getKey(), List.of()))
                .size() >= e.getValue());
    }

    /** Request ids with fewer exclusive outcomes than records sent with them. */
    static List<String> shortOfResults(Map<String, List<Result>> results, Map<String, Integer> recordsPerId) {
        return recordsPerId.entrySet().stream().filter(e -> exclusiveEvents(results.getOrDefault(e.getKey(), List.of()))
                .size() < e.getValue()).map(Map.Entry::getKey).sorted().toList();
    }

    private static Set<String> exclusiveEvents(List<Result> list) {
        Set<String> events = new HashSet<>();
        list.stream().filter(r -> EXCLUSIVE.contains(r.status())).forEach(r -> events.add(r.status() + "/" + r.ceId()));
        return events;
    }

    /**
     * The outcome of each request id: its one status other than DUPLICATE (SUBMITTED for a request that went on to
     * RUNNING or COMPLETED), or DUPLICATE when every record of it was one.
     */
    static Map<String, String> outcome(Map<String, List<Result>> results) {
        Map<String, String> outcomes = new HashMap<>();
        results.forEach((id, list) -> {
            List<String> statuses = list.stream().map(Result::status).filter(EXCLUSIVE::contains).toList();
            statuses.stream().filter(s -> !s.equals("DUPLICATE")).findFirst()
                    .or(() -> statuses.stream().findFirst()).ifPresent(s -> outcomes.put(id, s));
        });
        return outcomes;
    }

    /**
     * Request ids whose records did not come to one outcome each: two statuses other than DUPLICATE, one status
     * under two event ids (a second, different first result), SUBMITTED with two job ids, or more or fewer
     * outcomes than records sent with that id (a repeated id is answered DUPLICATE under an event id of its own).
     */
    static List<String> contradictions(Map<String, List<Result>> results, Map<String, Integer> recordsPerId) {
        List<String> found = new ArrayList<>();
        recordsPerId.forEach((id, records) -> {
            List<Result> list = results.getOrDefault(id, List.of());
            Set<String> decided = new HashSet<>();
            Set<String> decidedEvents = new HashSet<>();
            Set<String> jobs = new HashSet<>();
            for (Result r : list) {
                if (EXCLUSIVE.contains(r.status()) && !r.status().equals("DUPLICATE")) {
                    decided.add(r.status());
                    decidedEvents.add(r.ceId());
                }
                if (r.jobId() != null && (r.status().equals("SUBMITTED") || r.status().equals("UNKNOWN"))) {
                    jobs.add(r.jobId());
                }
            }
            if (decided.size() > 1 || decidedEvents.size() > 1 || jobs.size() > 1
                    || exclusiveEvents(list).size() != records) {
                found.add(id + " (" + records + " record(s)): " + list.stream().map(r -> r.status() + "/" + r.ceId()).toList());
            }
        });
        return found;
    }

    static Map<String, Long> count(Map<String, String> outcomes) {
        Map<String, Long> counts = new TreeMap<>();
        outcomes.values().forEach(s -> counts.merge(s, 1L, Long::sum));
        return counts;
    }

    // ---- the journal ----------------------------------------------------------------------------------

    /** Restore POSTs for the given instances. */
    static List<JsonNode> posts(List<JsonNode> journal, Set<String> instances) {
        return journal.stream().filter(e -> e.path("operation").asText().equals("restore"))
                .filter(e -> instances.contains(e.path("instance_id").asText())).toList();
    }

    /** Jobs the cloud started, per restore (instance, time and tables): more than one is a doubled restore. */
    static Map<String, Integer> jobsPerRestore(List<JsonNode> posts) {
        Map<String, Integer> jobs = new TreeMap<>();
        for (JsonNode post : posts) {
            if (post.hasNonNull("job_id") && (post.path("status").asInt() == 200 || post.path("lost").asText().equals("after"))) {
                jobs.merge(post.path("restore").asText(), 1, Integer::sum);
            }
        }
        return jobs;
    }

    static Map<String, Integer> postsPerRestore(List<JsonNode> posts) {
        Map<String, Integer> counts = new TreeMap<>();
        posts.forEach(p -> counts.merge(p.path("restore").asText(), 1, Integer::sum));
        return counts;
    }

    static int most(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    static long over(Map<String, Integer> counts, int limit) {
        return counts.values().stream().filter(c -> c > limit).count();
    }

    /**
     * Polls of one job that overlap: a poll received before the previous poll of the same job was answered means
     * two replicas followed the job at once.
     */
    static long overlappingPolls(List<JsonNode> journal, Set<String> jobIds) {
        Map<String, List<JsonNode>> polls = new HashMap<>();
        for (JsonNode call : journal) {
            if (call.path("operation").asText().equals("job") && jobIds.contains(call.path("job_id").asText())) {
                polls.computeIfAbsent(call.get("job_id").asText(), k -> new ArrayList<>()).add(call);
            }
        }
        long overlapping = 0;
        for (List<JsonNode> list : polls.values()) {
            list.sort((a, b) -> Instant.parse(a.get("received_at").asText()).compareTo(Instant.parse(b.get("received_at").asText())));
            for (int i = 1; i < list.size(); i++) {
                JsonNode previous = list.get(i - 1);
                if (!previous.hasNonNull("responded_at") || Instant.parse(list.get(i).get("received_at").asText())
                        .isBefore(Instant.parse(previous.get("responded_at").asText()))) {
                    overlapping++;
                }
            }
        }
        return overlapping;
    }

    /** The job ids the results name. */
    static Set<String> jobIds(Map<String, List<Result>> results) {
        Set<String> ids = new HashSet<>();
        results.values().forEach(list -> list.stream().map(Result::jobId).filter(java.util.Objects::nonNull).forEach(ids::add));
        return ids;
    }
}
