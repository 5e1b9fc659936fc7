package io.gaussrestore.gaussdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.request.Bounded;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The part of a job-status answer ({@code {"job": {...}}}) that tracking needs, every string cleaned of control
 * characters and bounded to what the ledger keeps (id 128, status 32, progress 16, fail reason 1,000 characters):
 * whatever the cloud answers, a poll can be recorded.
 *
 * @param status Pending, Running, Completed or Failed
 * @param process progress such as {@code 60%}, empty when the cloud gives none
 * @param ended when the job ended, if it did
 */
public record JobInfo(String id, String status, String process, Optional<Instant> ended, String failReason) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ID = 128;
    static final int MAX_STATUS = 32;
    static final int MAX_PROGRESS = 16;
    static final int MAX_FAIL_REASON = 1000;
    private static final DateTimeFormatter JOB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    public boolean completed() {
        return "Completed".equalsIgnoreCase(status);
    }

    public boolean failed() {
        return "Failed".equalsIgnoreCase(status);
    }

    public static Optional<JobInfo> parse(String body) {
        JsonNode job;
        try {
            job = body == null ? null : JSON.readTree(body).get("job");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (job == null || !job.isObject() || !job.path("status").isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new JobInfo(Bounded.cut(job.path("id").asText(""), MAX_ID),
                Bounded.cut(job.path("status").asText(), MAX_STATUS),
                Bounded.cut(job.path("process").asText(""), MAX_PROGRESS), time(job.path("ended").asText("")),
                Bounded.text(job.path("fail_reason").asText(""), MAX_FAIL_REASON)));
    }

    /** Job times look like {@code 2023-08-01T12:35:40+0800}; ISO offsets with a colon are read too. */
    static Optional<Instant> time(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text, JOB_TIME).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }
}
