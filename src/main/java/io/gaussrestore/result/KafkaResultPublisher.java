package io.gaussrestore.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.config.Channels;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Publishes results to the result topic, keyed by request_id, with CloudEvents binary headers. */
@ApplicationScoped
public class KafkaResultPublisher implements ResultSink {

    private static final Logger LOG = Logger.getLogger(KafkaResultPublisher.class);

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper json;
    private final URI source;
    private final Clock clock;
    private final Duration publishDeadline;

    public KafkaResultPublisher(@Channel(Channels.RESULTS) MutinyEmitter<String> emitter, ObjectMapper json,
            RestoreConfig config, Clock clock) {
        this.emitter = emitter;
        this.json = json;
        this.source = URI.create(config.results().source());
        this.clock = clock;
        this.publishDeadline = config.results().publishDeadline();
    }

    @Override
    public Uni<Void> publish(RestoreResult result, String eventId) {
        String value;
        try {
            value = json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return publish(result, eventId, value);
    }

    /**
     * Completes when the broker acknowledged the record. A broker that is away is retried for as long as
     * {@code restore.results.publish-deadline}; a record the broker can never take fails at once.
     */
    @Override
    public Uni<Void> publish(RestoreResult result, String eventId, String value) {
        return publish(result, eventId, value, null);
    }

    @Override
    public Uni<Void> publish(RestoreResult result, String eventId, String value, String traceparent) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message(result, value, eventId, traceparent)))
                .onFailure(KafkaResultPublisher::retriable).invoke(e -> LOG.warnf(
                        "publishing the %s result of %s failed, retrying: %s", result.status(), result.requestId(),
                        e.getMessage()))
                .onFailure(KafkaResultPublisher::retriable).retry()
                .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(30)).expireIn(publishDeadline.toMillis());
    }

    /** Broker trouble that passes (Kafka's retriable errors, time-outs); not a record too large or refused. */
    static boolean retriable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
            if (t instanceof org.apache.kafka.common.KafkaException) {
                return false;
            }
        }
        return true;
    }

    private Message<String> message(RestoreResult result, String value, String eventId, String traceparent) {
        OutgoingCloudEventMetadata<String> cloudEvent = OutgoingCloudEventMetadata.<String>builder()
                .withId(eventId)
                .withSource(source)
                .withType(result.status().cloudEventType())
                .withSubject(result.requestId())
                .withDataContentType("application/json")
                .withTimestamp(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
                .build();
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        if (traceparent != null) {
            headers.add("traceparent", traceparent.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(result.requestId())
                .withHeaders(headers)
                .build();
        return Message.of(value).addMetadata(cloudEvent).addMetadata(kafka);
    }
}
