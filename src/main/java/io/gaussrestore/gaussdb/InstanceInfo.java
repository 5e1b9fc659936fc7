package io.gaussrestore.gaussdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/** The status of an instance ({@code {"instance": {"status": "ACTIVE", ...}}}). */
public record InstanceInfo(String id, String status) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** ACTIVE: no operation runs, a restore may be sent. */
    public boolean active() {
        return "ACTIVE".equalsIgnoreCase(status);
    }

    /** RESTORING: a restore job runs on the instance. */
    public boolean restoring() {
        return "RESTORING".equalsIgnoreCase(status);
    }

    public static Optional<InstanceInfo> parse(String body) {
        try {
            JsonNode instance = body == null ? null : JSON.readTree(body).get("instance");
            if (instance == null || !instance.path("status").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new InstanceInfo(
                    io.gaussrestore.request.Bounded.cut(instance.path("id").asText(""), JobInfo.MAX_ID),
                    io.gaussrestore.request.Bounded.cut(instance.path("status").asText(), JobInfo.MAX_STATUS)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
