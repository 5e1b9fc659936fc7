package io.gaussrestore.messaging;

import io.gaussrestore.pipeline.RestorePipeline;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Wiring only: each request record goes to the pipeline; its disposition acks or dead-letters the record. */
@ApplicationScoped
public class RestoreRequestConsumer {

    private final RestorePipeline pipeline;

    public RestoreRequestConsumer(RestorePipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Incoming(Channels.REQUESTS)
    public Uni<Void> consume(Message<byte[]> message) {
        return pipeline.process(KafkaRecords.inbound(message)).chain(disposition -> KafkaRecords.settle(message, disposition));
    }
}
