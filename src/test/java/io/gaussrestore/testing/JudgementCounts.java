package io.gaussrestore.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.access.Acceptance;
import io.gaussrestore.access.AccessFiles;
import io.gaussrestore.access.RestorePolicy;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestComponents;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts, per instance_id, how often a request is decoded, validated and put through the acceptance step, and in
 * which pass: at a door (the HTTP API or the console, judging it to answer its caller) or when its record is read
 * from the topic. The service's own decoder, validator and acceptance step do the work; these subclasses only
 * count, so the application behaves exactly as without them. Enabled for the simulator-backed profiles.
 */
public final class JudgementCounts {

    private static final Map<String, Map<String, Integer>> COUNTS = new ConcurrentHashMap<>();
    private static final Set<String> DOORS = Set.of("io.gaussrestore.http", "io.gaussrestore.console");
    private static final Set<String> TOPIC = Set.of("io.gaussrestore.messaging", "io.gaussrestore.pipeline");

    private JudgementCounts() {}

    /** What was counted for an instance, as "pass step" to how many times, e.g. "topic decode" to 1. */
    public static Map<String, Integer> of(String instanceId) {
        return new TreeMap<>(COUNTS.getOrDefault(instanceId, Map.of()));
    }

    private static void count(String instanceId, String step) {
        if (instanceId == null) {
            return;
        }
        String pass = StackWalker.getInstance().walk(frames -> frames
                .map(f -> f.getClassName().substring(0, Math.max(0, f.getClassName().lastIndexOf('.'))))
                .filter(p -> DOORS.contains(p) || TOPIC.contains(p))
                .findFirst()
                .map(p -> DOORS.contains(p) ? "door" : "topic")
                .orElse("elsewhere"));
        COUNTS.computeIfAbsent(instanceId, k -> new ConcurrentHashMap<>()).merge(pass + " " + step, 1, Integer::sum);
    }

    private static String instanceOf(ObjectNode json) {
        return json != null && json.path("instance_id").isTextual() ? json.get("instance_id").textValue() : null;
    }

    /** The decoder and validator the service builds, counting. */
    @Alternative
    @Priority(1)
    public static class Components {

        @Produces
        @Singleton
        @Alternative
        @Priority(1)
        RecordDecoder recordDecoder(RestoreConfig config) {
            return new RecordDecoder(config.requests().maxRecordBytes()) {
                @Override
                public Decoded decode(byte[] value) {
                    Decoded decoded = super.decode(value);
                    if (decoded instanceof Decoded.Json json) {
                        count(instanceOf(json.object()), "decode");
                    } else if (decoded instanceof Decoded.TooComplex tooComplex) {
                        count(instanceOf(tooComplex.identity()), "decode");
                    }
                    return decoded;
                }
            };
        }

        @Produces
        @Singleton
        @Alternative
        @Priority(1)
        RestoreRequestValidator validator(RestoreConfig config, Clock clock) {
            return new RestoreRequestValidator(RequestComponents.rules(config), clock) {
                @Override
                public RequestCheck checkAt(ObjectNode json, Instant now) {
                    count(instanceOf(json), "validate");
                    return super.checkAt(json, now);
                }

                @Override
                public RequestCheck.Invalid tooComplex(ObjectNode identityFields, String why) {
                    count(instanceOf(identityFields), "validate");
                    return super.tooComplex(identityFields, why);
                }
            };
        }
    }

    /** The acceptance step, counting. */
    @Alternative
    @Priority(1)
    @Singleton
    public static class CountingAcceptance extends Acceptance {

        CountingAcceptance(AccessFiles access) {
            super(access);
        }

        @Override
        public Uni<Optional<RestorePolicy.Denial>> judge(RestoreRequest request, Optional<RestorePolicy.Caller> caller,
                Instant at, AcceptedSince accepted) {
            count(request.instanceId(), "accept");
            return super.judge(request, caller, at, accepted);
        }
    }
}
