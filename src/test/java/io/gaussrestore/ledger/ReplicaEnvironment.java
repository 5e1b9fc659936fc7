package io.gaussrestore.ledger;

import io.gaussrestore.testing.Postgres;
import io.gaussrestore.testing.RecordCollector;
import java.util.HashMap;
import java.util.Map;

/** The environment of service processes that share topics, a consumer group and a PostgreSQL ledger. */
final class ReplicaEnvironment {

    private ReplicaEnvironment() {}

    static Map<String, String> of(String bootstrap, RecordCollector topics, CloudJournal cloud, Postgres.Schema ledger,
            String group) {
        Map<String, String> env = new HashMap<>(topics.environment());
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("GAUSSDB_ENDPOINT", cloud.url());
        env.put("GAUSSDB_AUTH_TOKEN", "it-token");
        env.put("RESTORE_CONSUMER_GROUP", group + "-" + topics.requests);
        env.put("RESTORE_LEDGER_JDBC_URL", ledger.jdbcUrl());
        env.put("RESTORE_LEDGER_USERNAME", Postgres.user());
        env.put("RESTORE_LEDGER_PASSWORD", Postgres.password());
        // WireMock answers restores only; the budget is not what these tests are about.
        env.put("RESTORE_TRACKING_ENABLED", "false");
        env.put("RESTORE_RATE_PER_MINUTE", "100000");
        env.put("RESTORE_THROTTLING_BURST", "1000");
        return env;
    }
}
