package io.gaussrestore.drills;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The requests of one drill: bodies in sending order, and how many records carry each request id. */
final class Batch {
    final List<String[]> records = new ArrayList<>();
    final Map<String, Integer> recordsPerId = new LinkedHashMap<>();
    final Set<String> instances = new HashSet<>();
    final Map<String, String> instanceOf = new HashMap<>();
    final Map<String, String> businessKeyOf = new HashMap<>();
    int duplicates;

    /** One restore per instance. */
    static Batch unique(String prefix, int count) {
        Batch batch = new Batch();
        String run = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        long time = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        for (int i = 0; i < count; i++) {
            batch.add(run + "-" + i, instance(run, i), time, "t" + i);
        }
        return batch;
    }

    /**
     * Unique restores two to an instance (the second waits for the first's job), plus a share of duplicates:
     * half repeat a request_id, half ask for the same restore under a new id; keyed at random so that they
     * land on other partitions than their originals; all in random order.
     */
    static Batch withDuplicates(String prefix, int total, double share) {
        Batch batch = new Batch();
        String run = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        long time = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        int unique = (int) Math.round(total * (1 - share));
        for (int i = 0; i < unique; i++) {
            batch.add(run + "-" + i, instance(run, i / 2), time, "t" + i);
        }
        List<String[]> originals = new ArrayList<>(batch.records);
        for (int d = 0; d < total - unique; d++) {
            String[] original = originals.get(Drills.RANDOM.nextInt(originals.size()));
            int index = Integer.parseInt(original[2]);
            String id = d % 2 == 0 ? original[1] : run + "-dup-" + d;
            batch.add(id, instance(run, index / 2), time, "t" + index);
            batch.duplicates++;
        }
        Collections.shuffle(batch.records, Drills.RANDOM);
        return batch;
    }

    private static String instance(String run, int index) {
        return "%032x".formatted(new java.math.BigInteger(1, (run + "/" + index).getBytes())
                .mod(java.math.BigInteger.ONE.shiftLeft(128))) + "in07";
    }

    private void add(String requestId, String instance, long time, String table) {
        String body = """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "%s", "new_name": "%s_back"}]}]}
                """.formatted(requestId, io.gaussrestore.testing.Requests.PROJECT, instance, time, table, table);
        records.add(new String[] {UUID.randomUUID().toString(), requestId, table.substring(1), body});
        recordsPerId.merge(requestId, 1, Integer::sum);
        instances.add(instance);
        instanceOf.put(requestId, instance);
        businessKeyOf.put(requestId, instance + "|" + table);
    }

    void send(DrillStack stack) {
        for (String[] record : records) {
            stack.topics.send(record[0], record[3]);
        }
        stack.topics.flush();
    }

    Set<String> instancesOf(Map<String, String> outcomes, String status) {
        return outcomes.entrySet().stream().filter(e -> e.getValue().equals(status))
                .map(e -> instanceOf.get(e.getKey())).collect(Collectors.toSet());
    }

    /** The same batch without these requests (those the dead-letter topic answered, say). */
    Batch without(Set<String> requestIds) {
        Batch rest = new Batch();
        for (String[] record : records) {
            if (!requestIds.contains(record[1])) {
                rest.records.add(record);
                rest.recordsPerId.put(record[1], recordsPerId.get(record[1]));
                rest.instances.add(instanceOf.get(record[1]));
                rest.instanceOf.put(record[1], instanceOf.get(record[1]));
                rest.businessKeyOf.put(record[1], businessKeyOf.get(record[1]));
            }
        }
        return rest;
    }
}
