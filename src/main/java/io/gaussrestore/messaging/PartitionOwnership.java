package io.gaussrestore.messaging;

import io.gaussrestore.pipeline.RecordFence;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Knows which request partitions this replica holds. Each partition has an epoch that moves on when it is revoked
 * or lost; a record's fence remembers the epoch it was read in, so work on it stops once the partition has gone
 * to another replica, even if it came back since.
 */
@ApplicationScoped
@Identifier(PartitionOwnership.NAME)
@Default
public class PartitionOwnership implements KafkaConsumerRebalanceListener {

    /** The name the request channel's {@code consumer-rebalance-listener.name} refers to. */
    public static final String NAME = "restore-requests-rebalance";

    private static final Logger LOG = Logger.getLogger(PartitionOwnership.class);

    private final Map<TopicPartition, AtomicLong> epochs = new ConcurrentHashMap<>();

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoke(partitions, "revoked");
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoke(partitions, "lost");
    }

    /** Marks partitions as gone: every fence of a record read from them before now turns false. */
    public void revoke(Collection<TopicPartition> partitions, String how) {
        if (!partitions.isEmpty()) {
            LOG.infof("request partitions %s: %s", how, partitions);
        }
        partitions.forEach(partition -> epoch(partition).incrementAndGet());
    }

    /** A fence for a record read now from this partition. */
    public RecordFence fence(String topic, int partition) {
        AtomicLong epoch = epoch(new TopicPartition(topic, partition));
        long readIn = epoch.get();
        return () -> epoch.get() == readIn;
    }

    private AtomicLong epoch(TopicPartition partition) {
        return epochs.computeIfAbsent(partition, p -> new AtomicLong());
    }
}
