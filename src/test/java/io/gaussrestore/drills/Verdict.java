package io.gaussrestore.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The guarantees every drill checks. */
final class Verdict {
    Map<String, String> outcomes;
    Map<String, Long> counts;
    List<String> contradictions;
    long unanswered;
    long doubled;
    int mostPosts;
    long unknown;
    long keysDecidedTwice;

    static Verdict of(Batch batch, Map<String, List<Outcomes.Result>> results, List<JsonNode> journal) {
        Verdict v = new Verdict();
        v.outcomes = Outcomes.outcome(results);
        v.counts = Outcomes.count(v.outcomes);
        v.contradictions = Outcomes.contradictions(results, batch.recordsPerId);
        v.unanswered = batch.recordsPerId.keySet().stream().filter(id -> !v.outcomes.containsKey(id)).count();
        List<JsonNode> posts = Outcomes.posts(journal, batch.instances);
        v.doubled = Outcomes.over(Outcomes.jobsPerRestore(posts), 1);
        v.mostPosts = Outcomes.most(Outcomes.postsPerRestore(posts));
        v.unknown = v.counts.getOrDefault("UNKNOWN", 0L);
        // One restore (business key) is sent under at most one request id: the others are DUPLICATE.
        Map<String, Set<String>> sentByKey = new TreeMap<>();
        v.outcomes.forEach((id, status) -> {
            if (status.equals("SUBMITTED") || status.equals("UNKNOWN")) {
                sentByKey.computeIfAbsent(batch.businessKeyOf.get(id), k -> new HashSet<>()).add(id);
            }
        });
        v.keysDecidedTwice = sentByKey.values().stream().filter(ids -> ids.size() > 1).count();
        return v;
    }

    void assertNothingLostOrDoubled() {
        assertThat(unanswered).as("requests without a result").isZero();
        assertThat(contradictions).as("requests whose records did not come to one outcome each").isEmpty();
        assertThat(doubled).as("restores the cloud started twice").isZero();
        assertThat(keysDecidedTwice).as("restores sent under two request ids").isZero();
    }
}
