package io.gaussrestore.pipeline;

/** Whether the record being processed still belongs to this replica (its partition was not revoked meanwhile). */
@FunctionalInterface
public interface RecordFence {

    /** For records that no rebalance can take away (tests, records not read from Kafka). */
    RecordFence ALWAYS = () -> true;

    boolean stillAssigned();
}
