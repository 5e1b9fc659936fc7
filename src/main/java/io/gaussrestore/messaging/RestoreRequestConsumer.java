package io.gaussrestore.messaging;

import io.gaussrestore.config.Channels;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Wiring only: each request record goes to the dispatcher, which runs the pipeline and acks or dead-letters it. */
@ApplicationScoped
public class RestoreRequestConsumer {

    @Inject RequestDispatcher dispatcher;

    @Incoming(Channels.REQUESTS)
    public Uni<Void> consume(Message<byte[]> message) {
        return dispatcher.dispatch(message);
    }
}
