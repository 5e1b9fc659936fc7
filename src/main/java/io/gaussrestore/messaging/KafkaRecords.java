package io.gaussrestore.messaging;

import io.gaussrestore.pipeline.Disposition;
import io.gaussrestore.pipeline.InboundRecord;
import io.gaussrestore.pipeline.RecordFence;
import io.gaussrestore.request.RequestHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Translates between Kafka messages and the pipeline's plain types. */
final class KafkaRecords {

    private KafkaRecords() {}

    static InboundRecord inbound(Message<byte[]> message, PartitionOwnership ownership) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        if (kafka == null) {
            return new InboundRecord(message.getPayload(), null, null, "unknown", -1, -1, RecordFence.ALWAYS);
        }
        return new InboundRecord(message.getPayload(), header(kafka, "ce_id"),
                kafka.getTimestamp(), kafka.getTopic(), kafka.getPartition(), kafka.getOffset(),
                ownership.fence(kafka.getTopic(), kafka.getPartition()),
                header(kafka, RequestHeaders.HTTP_CALLER), roles(header(kafka, RequestHeaders.HTTP_CALLER_ROLES)),
                header(kafka, RequestHeaders.POLICY_DENIED),
                header(kafka, "traceparent"));
    }

    private static java.util.Set<String> roles(String header) {
        return header == null || header.isBlank() ? java.util.Set.of()
                : java.util.Set.of(java.util.Arrays.stream(header.split(",")).map(String::strip)
                        .filter(r -> !r.isEmpty()).distinct().toArray(String[]::new));
    }

    private static String header(IncomingKafkaRecordMetadata<?, ?> kafka, String name) {
        Header header = kafka.getHeaders().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Acks an answered record; nacks one to dead-letter, which the channel's dead-letter strategy forwards; leaves
     * an abandoned one (its partition is another replica's now) to its new owner.
     */
    static Uni<Void> settle(Message<byte[]> message, Disposition disposition) {
        if (disposition instanceof Disposition.DeadLetter deadLetter) {
            return Uni.createFrom().completionStage(message.nack(new UnreadableRecordException(deadLetter)));
        }
        if (disposition instanceof Disposition.Abandoned) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(message.ack());
    }

    /** Carries the dead-letter reason (its message) and detail (its cause's message) to the DLQ headers. */
    static final class UnreadableRecordException extends RuntimeException {
        UnreadableRecordException(Disposition.DeadLetter deadLetter) {
            super(deadLetter.reason(), new RuntimeException(deadLetter.detail()), false, false);
        }
    }
}
