package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A GaussDB(for MySQL) and IAM simulator that behaves like the real API as documented: restores run as jobs,
 * an instance takes one operation at a time, the gateway throttles each API per project, tokens expire. Plain Java with
 * no HTTP: {@link SimulatorServer} serves it, and other code (tests of other teams) may drive it directly.
 */
public final class GaussDbSimulator {

    static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9]{32}");
    static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9]{32}in07");
    private static final DateTimeFormatter JOB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * One call as the simulator sees it.
     *
     * @param headers the request headers, names in lower case
     * @param body the exact bytes received (what a signature covers)
     */
    public record Call(String operation, String method, String path, String projectId, String instanceId,
            Map<String, String> headers, Map<String, String> query, byte[] body) {

        /** A call with an X-Auth-Token (or none) and a UTF-8 body (or none). */
        public static Call of(String operation, String method, String path, String projectId, String instanceId,
                String authToken, Map<String, String> query, String body) {
            Map<String, String> headers = new HashMap<>();
            if (authToken != null) {
                headers.put("x-auth-token", authToken);
            }
            return new Call(operation, method, path, projectId, instanceId, headers, query,
                    body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        String authToken() {
            return headers.get("x-auth-token");
        }

        String text() {
            return body == null ? null : new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * The answer and the journal entry that recorded it.
     *
     * @param hold how long to keep the answer back on top of the latency (a lost answer), zero otherwise
     */
    public record Handled(SimResponse response, long journalSeq, Duration hold) {}

    private record Job(String id, String projectId, String instanceId, Instant created, Duration duration,
            boolean fails, Instant visibleFrom) {
        Instant ends() {
            return created.plus(duration);
        }

        boolean runningAt(Instant now) {
            return now.isBefore(ends());
        }
    }

    private final Clock clock;
    private final RandomGenerator random;
    private final SimulatedIam iam;
    private final SimulatedGateway gateway = new SimulatedGateway();
    private SimulatorSettings settings;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<JournalEntry> journal = new ArrayList<>();
    private Instant outageUntil = Instant.MIN;
    private double lostBefore;
    private double lostAfter;
    private Duration lostHold = Duration.ZERO;
    private long seq;

    /**
     * @param accessKeys access key id to secret key, for AK/SK signed calls
     */
    public GaussDbSimulator(SimulatorSettings settings, Set<String> acceptedTokens, Map<String, String> accessKeys,
            Clock clock, RandomGenerator random) {
        this.settings = settings;
        this.iam = new SimulatedIam(acceptedTokens, accessKeys);
        this.clock = clock;
        this.random = random;
    }

    // ---- the APIs -------------------------------------------------------------------------------------

    /** Serves one call of the GaussDB or IAM API. */
    public synchronized Handled handle(Call call) {
        Instant now = clock.instant();
        String lost = null;
        SimResponse response;
        if (call.operation().equals("restore") && (lostBefore > 0 || lostAfter > 0)) {
            double draw = random.nextDouble();
            if (draw < lostBefore && !now.isBefore(outageUntil)) {
                lost = "before";
                response = SimResponse.error(504, "APIGW.0201", "Request timeout.");
            } else {
                response = answer(call, now);
                if (draw < lostBefore + lostAfter && response.status() == 200) {
                    lost = "after";
                }
            }
        } else {
            response = answer(call, now);
        }
        String jobId = response.body() != null && response.body().hasNonNull("job_id")
                ? response.body().get("job_id").asText()
                : call.query().get("id");
        if ("after".equals(lost)) {
            // The job started; the caller will never see its id.
            response = SimResponse.error(504, "APIGW.0201", "Request timeout.");
        }
        long entrySeq = ++seq;
        journal.add(new JournalEntry(entrySeq, call.operation(), call.method(), call.path(), call.projectId(),
                call.instanceId(), jobId, response.status(), response.errorCode(), now, null,
                call.operation().equals("restore") ? RestoreBodies.describe(call) : null, lost));
        return new Handled(response.withHeader("X-Request-Id", "sim-" + entrySeq), entrySeq,
                lost == null ? Duration.ZERO : lostHold);
    }

    /**
     * From now on, a share of restore POSTs loses its answer: held back for {@code hold} (longer than the
     * client's read time-out) and then answered 504 APIGW.0201, either without acting ({@code before}) or after
     * starting the job ({@code after}). Zero rates end it.
     */
    public synchronized void loseAnswers(double before, double after, Duration hold) {
        if (before < 0 || after < 0 || before + after > 1 || hold.isNegative()) {
            throw new IllegalArgumentException("rates from 0 to 1 that add up to at most 1, and a hold of 0 or more");
        }
        this.lostBefore = before;
        this.lostAfter = after;
        this.lostHold = hold;
    }

    /** Marks when the answer of a journal entry left, after any latency. */
    public synchronized void responded(long journalSeq) {
        Instant now = clock.instant();
        for (int i = journal.size() - 1; i >= 0; i--) {
            if (journal.get(i).seq() == journalSeq) {
                journal.set(i, journal.get(i).responded(now));
                return;
            }
        }
    }

    private SimResponse answer(Call call, Instant now) {
        if (call.operation().equals("token")) {
            return iam.issueToken(call, now, settings);
        }
        if (now.isBefore(outageUntil)) {
            return SimResponse.bare(503);
        }
        Optional<SimResponse> refusal = iam.authenticate(call, now);
        if (refusal.isPresent()) {
            return refusal.get();
        }
        if (!PROJECT_ID.matcher(call.projectId()).matches()) {
            return SimResponse.error(400, "DBS.200001", "Parameter error.");
        }
        if (gateway.throttled(call.projectId(), call.operation(), now, settings)) {
            int limit = settings.throttlePerMinute();
            Duration window = settings.throttleWindow();
            String time = window.equals(Duration.ofMinutes(1)) ? "1 minute" : window.toSeconds() + " second";
            return SimResponse.error(429, "APIGW.0308",
                    "The throttling threshold has been reached: policy user over ratelimit,limit:" + limit + ",time:" + time);
        }
        Optional<Integer> injected = SimulatedGateway.injectedStatus(settings, random);
        if (injected.isPresent() && injected.get() != 504) {
            return SimulatedGateway.injectedError(injected.get());
        }
        if (call.instanceId() != null && !INSTANCE_ID.matcher(call.instanceId()).matches()) {
            return SimResponse.error(400, "DBS.280404", "Invalid DB instance ID or node ID format.");
        }
        SimResponse response = switch (call.operation()) {
            case "restore" -> createRestoreTables(call, now);
            case "job" -> showJob(call.projectId(), call.query().get("id"), now);
            case "restore_time" -> restoreTimes(call.query().get("date"), now);
            case "instance" -> showInstance(call.instanceId(), now);
            default -> SimResponse.error(404, "APIGW.0101", "The API does not exist or has not been published in the environment.");
        };
        // A gateway timeout hides whether the backend acted: the call above did take effect.
        return injected.isPresent() ? SimResponse.error(504, "APIGW.0201", "Request timeout.") : response;
    }

    private SimResponse createRestoreTables(Call call, Instant now) {
        JsonNode body;
        try {
            body = call.text() == null || call.text().isBlank() ? null : JSON.readTree(call.text());
        } catch (IOException e) {
            return SimResponse.error(400, "DBS.200001", "Parameter error.");
        }
        if (body == null || !body.isObject() || body.isEmpty()) {
            return SimResponse.error(400, "DBS.200006", "The request is null. Enter a request parameter.");
        }
        Optional<Long> restoreTime = RestoreBodies.restoreTime(body.get("restore_time"));
        JsonNode tables = body.get("restore_tables");
        JsonNode lastTableInfo = body.get("last_table_info");
        if (restoreTime.isEmpty() || tables == null || !tables.isArray() || tables.isEmpty()
                || (lastTableInfo != null && !RestoreBodies.validLastTableInfo(lastTableInfo))) {
            return SimResponse.error(400, "DBS.200001", "Parameter error.");
        }
        for (JsonNode database : tables) {
            JsonNode name = database.get("database");
            JsonNode list = database.get("tables");
            if (name == null || !name.isTextual() || name.asText().isEmpty() || list == null || !list.isArray() || list.isEmpty()) {
                return SimResponse.error(400, "DBS.200001", "Parameter error.");
            }
            for (JsonNode table : list) {
                if (!RestoreBodies.validName(table.get("old_name")) || !RestoreBodies.validName(table.get("new_name"))) {
                    return SimResponse.error(400, "DBS.280277", "Invalid object name.");
                }
            }
        }
        Instant time = Instant.ofEpochMilli(restoreTime.get());
        if (time.isBefore(now.minus(settings.restoreWindow())) || time.isAfter(now)) {
            return SimResponse.error(400, "DBS.201203", "The backup file does not exist.");
        }
        boolean busy = jobs.values().stream()
                .anyMatch(job -> job.instanceId().equals(call.instanceId()) && job.runningAt(now));
        if (busy) {
            return SimResponse.error(409, "DBS.200019",
                    "Another operation is being performed on the DB instance or the DB instance is faulty.");
        }
        Job job = new Job(UUID.randomUUID().toString(), call.projectId(), call.instanceId(), now,
                settings.jobDuration(), random.nextDouble() < settings.jobFailureRate(),
                now.plus(settings.jobVisibilityDelay()));
        jobs.put(job.id(), job);
        return SimResponse.ok(200, NODES.objectNode().put("job_id", job.id()));
    }

    private SimResponse showJob(String projectId, String jobId, Instant now) {
        Job job = jobId == null ? null : jobs.get(jobId);
        if (job == null || !job.projectId().equals(projectId) || now.isBefore(job.visibleFrom())) {
            return SimResponse.error(400, "DBS.200543", "The job does not exist.");
        }
        Duration elapsed = Duration.between(job.created(), now);
        String status;
        String process;
        if (!job.runningAt(now)) {
            status = job.fails() ? "Failed" : "Completed";
            process = job.fails() ? "" : "100%";
        } else if (elapsed.compareTo(job.duration().dividedBy(10)) < 0) {
            status = "Pending";
            process = "";
        } else {
            status = "Running";
            long percent = Math.min(99, elapsed.toMillis() * 100 / Math.max(1, job.duration().toMillis()));
            process = percent + "%";
        }
        ObjectNode detail = NODES.objectNode()
                .put("id", job.id())
                .put("name", "GaussDBV5RestoreTables")
                .put("status", status)
                .put("created", JOB_TIME.format(job.created()))
                .put("ended", job.runningAt(now) ? "" : JOB_TIME.format(job.ends()))
                .put("process", process)
                .put("fail_reason", status.equals("Failed")
                        ? "Restoring tables failed on the temporary instance: a table has triggers." : "");
        detail.putObject("instance").put("id", job.instanceId()).put("name", "sim-" + job.instanceId().substring(0, 8));
        detail.putObject("entities");
        ObjectNode root = NODES.objectNode();
        root.set("job", detail);
        return SimResponse.ok(200, root);
    }

    private SimResponse restoreTimes(String date, Instant now) {
        Instant start = now.minus(settings.restoreWindow());
        Instant end = now;
        if (date != null && !date.isBlank()) {
            LocalDate day;
            try {
                day = LocalDate.parse(date);
            } catch (RuntimeException e) {
                return SimResponse.error(400, "DBS.200001", "Parameter error.");
            }
            Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant dayEnd = dayStart.plus(Duration.ofDays(1)).minusMillis(1);
            start = start.isAfter(dayStart) ? start : dayStart;
            end = end.isBefore(dayEnd) ? end : dayEnd;
        }
        ArrayNode times = NODES.arrayNode();
        if (!start.isAfter(end)) {
            times.addObject().put("start_time", start.toEpochMilli()).put("end_time", end.toEpochMilli());
        }
        ObjectNode root = NODES.objectNode();
        root.set("restore_times", times);
        return SimResponse.ok(200, root);
    }

    private SimResponse showInstance(String instanceId, Instant now) {
        boolean restoring = jobs.values().stream().anyMatch(job -> job.instanceId().equals(instanceId) && job.runningAt(now));
        ObjectNode root = NODES.objectNode();
        root.putObject("instance")
                .put("id", instanceId)
                .put("name", "sim-" + instanceId.substring(0, 8))
                .put("status", restoring ? "RESTORING" : "ACTIVE")
                .put("datastore_version", "8.0");
        return SimResponse.ok(200, root);
    }

    // ---- administration -------------------------------------------------------------------------------

    public synchronized SimulatorSettings settings() {
        return settings;
    }

    public synchronized SimulatorSettings update(SimulatorSettings.Patch patch) {
        settings = settings.with(patch);
        return settings;
    }

    /** Every call answers 503 until the outage is over. */
    public synchronized Instant startOutage(Duration length) {
        outageUntil = clock.instant().plus(length);
        return outageUntil;
    }

    /** Invalidates every token issued so far, as a password change does. */
    public synchronized int revokeTokens() {
        return iam.revokeTokens();
    }

    /** The calls received so far, oldest first. */
    public synchronized List<JournalEntry> journal() {
        return List.copyOf(journal);
    }

    /** Forgets calls, jobs, tokens, throttling and outages; settings go back to the given ones. */
    public synchronized void reset(SimulatorSettings initial) {
        journal.clear();
        jobs.clear();
        iam.revokeTokens();
        gateway.clear();
        outageUntil = Instant.MIN;
        lostBefore = 0;
        lostAfter = 0;
        lostHold = Duration.ZERO;
        settings = initial;
    }

    /** Instances with a running job, for a quick look at the simulator's state. */
    public synchronized Set<String> restoringInstances() {
        Instant now = clock.instant();
        Set<String> result = new HashSet<>();
        jobs.values().stream().filter(job -> job.runningAt(now)).forEach(job -> result.add(job.instanceId()));
        return result;
    }
}
