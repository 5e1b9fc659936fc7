package io.gaussrestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.access.AccessFiles;
import io.gaussrestore.access.ApiKeys;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.Roles;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.gaussdb.InstanceInfo;
import io.gaussrestore.http.HttpDoor;
import io.gaussrestore.ledger.IdempotencyLedger;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerSearch;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.queue.InstanceQueue;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.request.Violation;
import io.gaussrestore.throttling.CircuitBreaker;
import io.gaussrestore.throttling.RateLimiter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The console for the person on call, served by the service itself: what is in flight, what needs a decision,
 * and one safe way to act (a dry run before a new restore, a confirmation before a request is sent again). Signed
 * in with an API key; restore-viewer sees, restore-requester acts; every form carries a token bound to the
 * session; every action is written to the audit log. Pages are rendered on the server, without scripts.
 */
@Path(ConsoleSessions.PATH)
@PermitAll
public class ConsoleResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MOMENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";
    private static final Set<LedgerState> RETRYABLE = EnumSet.of(LedgerState.FAILED, LedgerState.UNKNOWN);
    private static final Set<LedgerState> ENDED = EnumSet.of(LedgerState.COMPLETED, LedgerState.FAILED,
            LedgerState.UNKNOWN, LedgerState.REJECTED, LedgerState.DUPLICATE, LedgerState.CANCELLED,
            LedgerState.DRY_RUN);

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(ConsoleViews.Page page, String error);

        static native TemplateInstance overview(ConsoleViews.Page page, ConsoleViews.Overview overview);

        static native TemplateInstance requests(ConsoleViews.Page page, ConsoleViews.Search search);

        static native TemplateInstance detail(ConsoleViews.Page page, ConsoleViews.Detail detail);

        static native TemplateInstance newRestore(ConsoleViews.Page page, ConsoleViews.FormPage formPage);

        static native TemplateInstance retry(ConsoleViews.Page page, ConsoleViews.Retry retry);

        static native TemplateInstance message(ConsoleViews.Page page, String heading, String text);
    }

    private final IdempotencyLedger ledger;
    private final HttpDoor door;
    private final InstanceQueue queue;
    private final RestoreRequestValidator validator;
    private final ConsoleSessions sessions;
    private final AccessFiles access;
    private final CircuitBreaker circuit;
    private final RateLimiter rates;
    private final MeterRegistry registry;
    private final GaussDbRestoreClient cloud;
    private final SecurityIdentity identity;
    private final RestoreConfig config;
    private final Clock clock;

    ConsoleResource(IdempotencyLedger ledger, HttpDoor door, InstanceQueue queue, RestoreRequestValidator validator,
            ConsoleSessions sessions, AccessFiles access, CircuitBreaker circuit, RateLimiter rates,
            MeterRegistry registry, GaussDbRestoreClient cloud, SecurityIdentity identity, RestoreConfig config,
            Clock clock) {
        this.ledger = ledger;
        this.door = door;
        this.queue = queue;
        this.validator = validator;
        this.sessions = sessions;
        this.access = access;
        this.circuit = circuit;
        this.rates = rates;
        this.registry = registry;
        this.cloud = cloud;
        this.identity = identity;
        this.config = config;
        this.clock = clock;
    }

    // ---- signing in and out ---------------------------------------------------------------------------

    @GET
    @Path("/login")
    public Response loginPage() {
        if (!config.console().enabled()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        return loginForm(null, Response.Status.OK);
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("api_key") String key, @FormParam(ConsoleSessions.FORM_TOKEN) String token,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        if (!config.console().enabled()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        String nonceValue = Optional.ofNullable(headers.getCookies().get(ConsoleSessions.LOGIN_COOKIE))
                .map(jakarta.ws.rs.core.Cookie::getValue).orElse(null);
        if (!sessions.validFormToken("login|" + nonceValue, token)) {
            Decisions.console("sign-in", null, null, "refused: the form token is missing or not this browser's");
            return loginForm("The sign-in form expired or did not come from this console; try again.",
                    Response.Status.FORBIDDEN);
        }
        String presented = key == null ? null : key.strip();
        Optional<ApiKeys.Caller> caller = access.apiKeys().caller(presented);
        if (caller.isEmpty()) {
            Decisions.console("sign-in", null, null, "refused: unknown API key");
            return loginForm("That API key is not known to this service.", Response.Status.UNAUTHORIZED);
        }
        if (!caller.get().roles().contains(Roles.VIEWER)) {
            Decisions.console("sign-in", caller.get().name(), null, "refused: no " + Roles.VIEWER + " role");
            return loginForm("This key may not read requests (it lacks the role " + Roles.VIEWER + ").",
                    Response.Status.FORBIDDEN);
        }
        ConsoleSessions.Session session = sessions.open(ApiKeys.hash(presented));
        Decisions.console("sign-in", caller.get().name(), null, "signed in with roles " + caller.get().roles());
        return Response.seeOther(URI.create(ConsoleSessions.PATH))
                .cookie(cookie(ConsoleSessions.COOKIE, session.cookieValue(), config.console().sessionLength(), uri),
                        cookie(ConsoleSessions.LOGIN_COOKIE, "", Duration.ZERO, uri))
                .build();
    }

    @POST
    @Path("/logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@FormParam(ConsoleSessions.FORM_TOKEN) String token, @Context UriInfo uri) {
        Optional<Response> refused = guardForm(Roles.VIEWER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        String cookie = identity.getAttribute("console-session");
        try {
            sessions.read(cookie).ifPresent(sessions::end);
        } catch (LedgerException e) {
            Decisions.console("sign-out", caller(), null, "failed: the ledger could not record it");
            return message("Not signed out", "The ledger could not record the sign-out, so this session still opens "
                    + "the console. Try again in a moment.", Response.Status.SERVICE_UNAVAILABLE);
        }
        Decisions.console("sign-out", caller(), null, "signed out; the session is ended on every replica");
        return Response.seeOther(URI.create(ConsoleSessions.PATH + "/login"))
                .cookie(cookie(ConsoleSessions.COOKIE, "", Duration.ZERO, uri))
                .build();
    }

    // ---- the pages --------------------------------------------------------------------------------------

    @GET
    public Response overview() {
        Optional<Response> refused = guard(Roles.VIEWER);
        if (refused.isPresent()) {
            return refused.get();
        }
        Instant now = clock.instant();
        Map<LedgerState, Long> hour = ledger.countsSince(now.minus(Duration.ofHours(1)));
        Map<LedgerState, Long> day = ledger.countsSince(now.minus(Duration.ofDays(1)));
        List<ConsoleViews.Count> counts = new ArrayList<>();
        for (LedgerState state : LedgerState.values()) {
            long h = hour.getOrDefault(state, 0L);
            long d = day.getOrDefault(state, 0L);
            if (d > 0) {
                counts.add(new ConsoleViews.Count(state.name(), h, d));
            }
        }
        List<ConsoleViews.Row> attention = ledger.needingAttention(now.minus(Duration.ofDays(1)), 50).stream()
                .map(e -> row(e, now)).toList();
        List<ConsoleViews.Row> inFlight = ledger.search(new LedgerSearch(null, null, null,
                        List.of(LedgerState.SUBMITTING, LedgerState.SUBMITTED, LedgerState.RUNNING), null, null, null), 0, 100)
                .stream().map(e -> row(e, now)).toList();
        Map<String, List<ConsoleViews.Row>> lines = new LinkedHashMap<>();
        for (LedgerEntry waiting : ledger.queued(null, 200)) {
            lines.computeIfAbsent(waiting.instanceId(), k -> new ArrayList<>()).add(row(waiting, now));
        }
        List<ConsoleViews.QueueLine> queues = lines.entrySet().stream()
                .map(e -> new ConsoleViews.QueueLine(e.getKey(), e.getValue())).toList();
        CircuitBreaker.State state = circuit.state();
        String circuitText = state == CircuitBreaker.State.CLOSED ? "closed: requests go to the cloud"
                : state == CircuitBreaker.State.OPEN ? "open: the cloud failed repeatedly; requests wait, one probe every "
                        + circuit.openFor().toSeconds() + " s"
                : "half open: one probe request is testing the cloud";
        List<ConsoleViews.Budget> budgets = rates.budgets().stream().map(b -> new ConsoleViews.Budget(b.projectId(),
                b.operation().label(), "%.1f".formatted(b.tokens()), "%.0f".formatted(b.ratePerMinute()),
                b.learnedLimit() > 0 ? "%.0f a minute".formatted(b.learnedLimit()) : "-",
                b.lastThrottledAt() == null ? "never" : MOMENT.format(b.lastThrottledAt()))).toList();
        ConsoleViews.Overview view = new ConsoleViews.Overview(counts, attention, inFlight, queues, circuitText, budgets,
                consumerLag(), MOMENT.format(now));
        return html(Templates.overview(page("Overview", 15), view), Response.Status.OK);
    }

    @GET
    @Path("/requests")
    public Response requests(@QueryParam("request_id") String requestId, @QueryParam("instance_id") String instanceId,
            @QueryParam("project_id") String projectId, @QueryParam("status") String status,
            @QueryParam("requested_by") String requestedBy, @QueryParam("from") String from,
            @QueryParam("until") String until, @QueryParam("page") @DefaultValue("1") int pageNumber) {
        Optional<Response> refused = guard(Roles.VIEWER);
        if (refused.isPresent()) {
            return refused.get();
        }
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("request_id", blank(requestId));
        filters.put("instance_id", blank(instanceId));
        filters.put("project_id", blank(projectId));
        filters.put("status", blank(status));
        filters.put("requested_by", blank(requestedBy));
        filters.put("from", blank(from));
        filters.put("until", blank(until));
        List<String> statuses = java.util.Arrays.stream(LedgerState.values()).map(Enum::name).toList();
        List<String> problems = new ArrayList<>();
        List<LedgerState> states = List.of();
        if (!filters.get("status").isEmpty()) {
            try {
                states = List.of(LedgerState.valueOf(filters.get("status").toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add("status must be one of " + statuses);
            }
        }
        Instant fromAt = moment(filters.get("from"), "from", problems);
        Instant untilAt = moment(filters.get("until"), "until", problems);
        int pageSize = config.console().pageSize();
        int current = Math.max(1, Math.min(pageNumber, 10_000));
        List<ConsoleViews.Row> rows = List.of();
        String previous = null;
        String next = null;
        if (problems.isEmpty()) {
            LedgerSearch search = new LedgerSearch(nullIfEmpty(filters.get("request_id")),
                    nullIfEmpty(filters.get("instance_id")), nullIfEmpty(filters.get("project_id")), states,
                    nullIfEmpty(filters.get("requested_by")), fromAt, untilAt);
            Instant now = clock.instant();
            List<LedgerEntry> found = ledger.search(search, (current - 1) * pageSize, pageSize + 1);
            rows = found.stream().limit(pageSize).map(e -> row(e, now)).toList();
            previous = current > 1 ? searchLink(filters, current - 1) : null;
            next = found.size() > pageSize ? searchLink(filters, current + 1) : null;
        }
        ConsoleViews.Search view = new ConsoleViews.Search(filters, statuses, rows, previous, next,
                problems.isEmpty() ? null : String.join("; ", problems));
        return html(Templates.requests(page("Requests", 0), view),
                problems.isEmpty() ? Response.Status.OK : Response.Status.BAD_REQUEST);
    }

    @GET
    @Path("/requests/{request_id}")
    public Response detail(@PathParam("request_id") String requestId) {
        Optional<Response> refused = guard(Roles.VIEWER);
        if (refused.isPresent()) {
            return refused.get();
        }
        LedgerEntry entry = ledger.find(requestId).orElse(null);
        if (entry == null) {
            return notFound(requestId);
        }
        Instant now = clock.instant();
        boolean dryRun = entry.state() == LedgerState.DRY_RUN;
        RestoreForm dryRunForm = null;
        JsonNode request = parse(entry.requestJson());
        if (dryRun && request != null) {
            RestoreForm asked = RestoreForm.of(request);
            dryRunForm = new RestoreForm("", asked.projectId(), asked.instanceId(), asked.restoreTime(),
                    asked.lastTableInfo(), asked.tables(), asked.reason(), asked.ticket());
        }
        String retryOf = entry.reason() != null && entry.reason().startsWith(RETRY_OF)
                ? entry.reason().substring(RETRY_OF.length()).split(":", 2)[0].strip()
                : null;
        ConsoleViews.Detail view = new ConsoleViews.Detail(row(entry, now), timeline(entry), pretty(request, entry),
                entry.jobId(), entry.attempts(), entry.errorCode(), entry.errorMessage(), prettyText(entry.errorDetails()),
                entry.retryable(), entry.reason(), entry.ticket(), entry.duplicateOf(),
                retryOf != null && RequestIds.wellFormed(retryOf) ? retryOf : null,
                RETRYABLE.contains(entry.state()) && request != null, entry.state() == LedgerState.QUEUED, dryRun,
                dryRunForm, link(config.console().traceLink(), entry), link(config.console().logLink(), entry));
        return html(Templates.detail(page("Request " + requestId, ENDED.contains(entry.state()) ? 0 : 5), view),
                Response.Status.OK);
    }

    @GET
    @Path("/new")
    public Response newRestorePage() {
        Optional<Response> refused = guard(Roles.REQUESTER);
        if (refused.isPresent()) {
            return refused.get();
        }
        return html(Templates.newRestore(page("New restore", 0), newForm(RestoreForm.empty(), List.of())),
                Response.Status.OK);
    }

    /**
     * The new-restore form: {@code dry_run} checks it and sends a dry run (the request's page then shows what
     * would happen, with the button that sends it for real); {@code submit} sends it.
     */
    @POST
    @Path("/new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response newRestore(@FormParam(ConsoleSessions.FORM_TOKEN) String token, @FormParam("action") String action,
            @FormParam("request_id") String requestId, @FormParam("project_id") String projectId,
            @FormParam("instance_id") String instanceId, @FormParam("restore_time") String restoreTime,
            @FormParam("last_table_info") String lastTableInfo, @FormParam("restore_tables") String tables,
            @FormParam("reason") String reason, @FormParam("ticket") String ticket) {
        Optional<Response> refused = guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        RestoreForm form = new RestoreForm(requestId, projectId, instanceId, restoreTime, lastTableInfo != null, tables,
                reason, ticket);
        boolean dryRun = !"submit".equals(action);
        List<Violation> violations = check(form, dryRun ? "" : null, null);
        if (!violations.isEmpty()) {
            return html(Templates.newRestore(page("New restore", 0), newForm(form, violations)),
                    Response.Status.BAD_REQUEST);
        }
        ObjectNode json = ((RestoreForm.Built.Event) form.build(dryRun ? "" : null, dryRun)).json();
        return send(json, dryRun ? "console-dry-run-" : "console-", dryRun ? "dry-run" : "submit",
                () -> html(Templates.newRestore(page("New restore", 0), newForm(form, List.of())),
                        Response.Status.SERVICE_UNAVAILABLE));
    }

    /** The confirmation before a FAILED or UNKNOWN request is sent again as a new one. */
    @GET
    @Path("/requests/{request_id}/retry")
    public Response retryPage(@PathParam("request_id") String requestId) {
        Optional<Response> refused = guard(Roles.REQUESTER);
        if (refused.isPresent()) {
            return refused.get();
        }
        LedgerEntry entry = ledger.find(requestId).orElse(null);
        if (entry == null) {
            return notFound(requestId);
        }
        if (!RETRYABLE.contains(entry.state()) || parse(entry.requestJson()) == null) {
            return message("Not sent again", "Request " + requestId + " is " + entry.state() + ": only FAILED and "
                    + "UNKNOWN requests are sent again from here.", Response.Status.CONFLICT);
        }
        return html(Templates.retry(page("Send again", 0), retryView(entry, retryForm(entry), List.of())),
                Response.Status.OK);
    }

    @POST
    @Path("/requests/{request_id}/retry")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retry(@PathParam("request_id") String original, @FormParam(ConsoleSessions.FORM_TOKEN) String token,
            @FormParam("confirm") String confirm, @FormParam("request_id") String requestId,
            @FormParam("project_id") String projectId, @FormParam("instance_id") String instanceId,
            @FormParam("restore_time") String restoreTime, @FormParam("last_table_info") String lastTableInfo,
            @FormParam("restore_tables") String tables, @FormParam("reason") String reason,
            @FormParam("ticket") String ticket) {
        Optional<Response> refused = guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        LedgerEntry entry = ledger.find(original).orElse(null);
        if (entry == null) {
            return notFound(original);
        }
        if (!RETRYABLE.contains(entry.state())) {
            return message("Not sent again", "Request " + original + " is " + entry.state() + ": only FAILED and "
                    + "UNKNOWN requests are sent again from here.", Response.Status.CONFLICT);
        }
        RestoreForm form = new RestoreForm(requestId, projectId, instanceId, restoreTime, lastTableInfo != null, tables,
                reason, ticket);
        List<Violation> violations = new ArrayList<>(check(form, null, original));
        if (confirm == null) {
            violations.add(new Violation("$", "Tick the box to confirm that you read the risk above."));
        }
        if (!violations.isEmpty()) {
            return html(Templates.retry(page("Send again", 0), retryView(entry, form, violations)),
                    Response.Status.BAD_REQUEST);
        }
        ObjectNode json = ((RestoreForm.Built.Event) form.build(null, false)).json();
        return send(json, "console-retry-", "retry of " + original,
                () -> html(Templates.retry(page("Send again", 0), retryView(entry, form, List.of())),
                        Response.Status.SERVICE_UNAVAILABLE));
    }

    @POST
    @Path("/requests/{request_id}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("request_id") String requestId, @FormParam(ConsoleSessions.FORM_TOKEN) String token) {
        Optional<Response> refused = guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (ledger.find(requestId).isEmpty()) {
            return notFound(requestId);
        }
        Optional<LedgerEntry> cancelled = queue.cancel(requestId, "cancelled by " + caller() + " in the console");
        Decisions.console("cancel", caller(), requestId, cancelled.isPresent() ? "cancelled" : "refused: not waiting");
        if (cancelled.isEmpty()) {
            return message("Not cancelled", "Request " + requestId + " is " + ledger.find(requestId).orElseThrow().state()
                    + ": only a request waiting for its instance (QUEUED) can be cancelled; one sent to the cloud cannot "
                    + "be taken back.", Response.Status.CONFLICT);
        }
        return Response.seeOther(URI.create(ConsoleSessions.PATH + "/requests/" + encode(requestId))).build();
    }

    @GET
    @Path("/console.css")
    public Response style() throws IOException {
        try (InputStream css = ConsoleResource.class.getResourceAsStream("/console/console.css")) {
            return Response.ok(css.readAllBytes(), "text/css; charset=UTF-8")
                    .header("Cache-Control", "max-age=3600")
                    .build();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    static final String RETRY_OF = "retry of ";

    private interface Fallback {
        Response get();
    }

    /** Sends a request through the HTTP door as the signed-in caller and shows its page. */
    private Response send(ObjectNode json, String idPrefix, String action, Fallback unavailable) {
        HttpDoor.Answer answer = door.send(caller(), identity.getRoles(), json, idPrefix, ConsoleSessions.PATH)
                .await().atMost(Duration.ofSeconds(15));
        Decisions.console(action, caller(), answer.requestId(), answer.status() + (answer.error() == null ? ""
                : " " + answer.error()));
        if (answer.status() == 202 || answer.status() == 403) {
            // A request the policy refused was written all the same: its page says REJECTED POLICY_DENIED.
            return Response.seeOther(URI.create(ConsoleSessions.PATH + "/requests/" + encode(answer.requestId()))).build();
        }
        if (answer.status() == 400) {
            return message("Not sent", answer.error(), Response.Status.BAD_REQUEST);
        }
        return unavailable.get();
    }

    /**
     * The form's violations: what could not be read, the service's rules, and for a real request the duplicate
     * check (a restore still held by another request would be answered DUPLICATE: nothing would happen).
     */
    private List<Violation> check(RestoreForm form, String requestIdOverride, String retryOf) {
        RestoreForm.Built built = form.build(requestIdOverride, requestIdOverride != null && requestIdOverride.isEmpty());
        List<Violation> violations = new ArrayList<>();
        // Every field is checked at once: what could not be read, and the service's rules on the rest.
        Set<String> unread = new java.util.HashSet<>();
        ObjectNode json;
        if (built instanceof RestoreForm.Built.Unreadable unreadable) {
            violations.addAll(unreadable.violations());
            unreadable.violations().forEach(v -> unread.add(RestoreForm.fieldOf(v)));
            json = unreadable.partial().deepCopy();
        } else {
            json = ((RestoreForm.Built.Event) built).json().deepCopy();
        }
        json.put("requested_by", caller());
        // The request_id's shape is one of the service's rules (below); whether it was used before is not.
        if (json.has("request_id") && RequestIds.wellFormed(json.get("request_id").asText())
                && ledger.find(json.get("request_id").asText()).isPresent()) {
            violations.add(new Violation("$.request_id", "request_id " + json.get("request_id").asText() + " was used "
                    + "before; a request under it would be answered DUPLICATE. Choose another or leave it empty."));
        }
        RequestCheck check = validator.check(json);
        if (check instanceof RequestCheck.Invalid invalid) {
            invalid.violations().stream().filter(v -> !unread.contains(RestoreForm.fieldOf(v))).forEach(violations::add);
        } else if (requestIdOverride == null && unread.isEmpty()) {
            RequestCheck.Valid valid = (RequestCheck.Valid) check;
            ledger.holderOf(BusinessKey.of(valid.request()), clock.instant()).ifPresent(holder -> violations.add(
                    new Violation("$.restore_tables", "the same restore (instance, time and tables) is held by request "
                            + holder.requestId() + " (" + holder.state() + ")" + (holder.requestId().equals(retryOf)
                                    ? ", the one being sent again" : "") + ": sent as it is, it would be answered "
                            + "DUPLICATE and nothing would happen. Change a new_name to restore again.")));
        }
        return violations;
    }

    private ConsoleViews.FormPage newForm(RestoreForm form, List<Violation> violations) {
        return formPage(form, violations, ConsoleSessions.PATH + "/new", "Dry run",
                "A dry run comes first: it checks the request and the instance without claiming or sending anything, "
                        + "and its page has the button that sends the restore for real.", false);
    }

    private static ConsoleViews.FormPage formPage(RestoreForm form, List<Violation> violations, String action,
            String button, String intro, boolean asksRequestId) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        for (Violation violation : violations) {
            String field = RestoreForm.fieldOf(violation);
            if (field.isEmpty()) {
                general.add(violation.message());
            } else {
                // Which table a rule is about: its place in the request, as the service names it.
                String where = field.equals("restore_tables") && violation.field().contains("[")
                        ? violation.field().substring(2) + ": " : "";
                errors.computeIfAbsent(field, k -> new ArrayList<>()).add(where + violation.message());
            }
        }
        return new ConsoleViews.FormPage(form, errors, general, action, button, intro, asksRequestId);
    }

    private RestoreForm retryForm(LedgerEntry entry) {
        RestoreForm asked = RestoreForm.of(parse(entry.requestJson()));
        String reason = RETRY_OF + entry.requestId() + (asked.reason().isEmpty() ? "" : ": " + asked.reason());
        return new RestoreForm("", asked.projectId(), asked.instanceId(), asked.restoreTime(), asked.lastTableInfo(),
                asked.tables(), reason.length() > 1000 ? reason.substring(0, 1000) : reason, asked.ticket());
    }

    private ConsoleViews.Retry retryView(LedgerEntry entry, RestoreForm form, List<Violation> violations) {
        Instant now = clock.instant();
        String risk = entry.state() == LedgerState.UNKNOWN
                ? "Whether the cloud started a job for " + entry.requestId() + " is unknown: " + entry.errorMessage()
                        + " A job may be running or done already. Before sending again, open the instance in the Huawei "
                        + "Cloud console: status restoring, or a RestoreTables task in the Task Center after "
                        + (entry.submittedAt() == null ? "the request was received" : MOMENT.format(entry.submittedAt()))
                        + ", means a job started; then do not send again. The same restore stays claimed by this "
                        + "request, so a new one must differ (for example in a new_name)."
                : "Request " + entry.requestId() + " FAILED (" + entry.errorCode() + ": " + entry.errorMessage() + ")"
                        + (Boolean.TRUE.equals(entry.retryable()) ? "; the error is one that may pass." : "; the error "
                        + "is not one that passes by itself: correct the request before sending it again.")
                        + " No job was started for it; a new request starts one.";
        String instanceNow;
        try {
            ApiResult look = cloud.showInstance(entry.projectId(), entry.instanceId()).await().atMost(Duration.ofSeconds(10));
            instanceNow = look instanceof ApiResult.Success success
                    ? InstanceInfo.parse(success.body()).map(i -> "status " + i.status()).orElse("an answer without a status")
                    : "could not be read (" + look.getClass().getSimpleName() + ")";
        } catch (RuntimeException e) {
            instanceNow = "could not be read (" + e.getClass().getSimpleName() + ")";
        }
        List<ConsoleViews.Row> recent = ledger.search(new LedgerSearch(null, entry.instanceId(), null, List.of(), null,
                null, null), 0, 5).stream().map(e -> row(e, now)).toList();
        return new ConsoleViews.Retry(row(entry, now), risk, "The cloud says the instance has " + instanceNow + ".",
                recent, formPage(form, violations, ConsoleSessions.PATH + "/requests/" + encode(entry.requestId())
                        + "/retry", "Send as a new request", "The request as it was, under a new request_id linked to "
                        + entry.requestId() + " by its reason; correct what needs correcting.", true));
    }

    private List<ConsoleViews.Moment> timeline(LedgerEntry entry) {
        List<ConsoleViews.Moment> moments = new ArrayList<>();
        moments.add(new ConsoleViews.Moment(at(entry.receivedAt()), "RECEIVED", "asked by "
                + Optional.ofNullable(entry.requestedBy()).orElse("(not said)") + " (record " + entry.source() + ")"));
        if (entry.queuedAt() != null) {
            moments.add(new ConsoleViews.Moment(at(entry.queuedAt()), "QUEUED", "place " + entry.queuePlace()
                    + " in the line of its instance" + (entry.waitingFor() == null ? "" : "; waits for " + entry.waitingFor())));
        }
        if (entry.submittedAt() != null) {
            moments.add(new ConsoleViews.Moment(at(entry.submittedAt()), "SUBMITTED", "job " + entry.jobId() + " after "
                    + entry.attempts() + " POST(s)"));
        }
        LedgerState state = entry.state();
        if (state == LedgerState.RUNNING) {
            moments.add(new ConsoleViews.Moment(at(entry.updatedAt()), "RUNNING", "progress "
                    + Optional.ofNullable(entry.progress()).orElse("not reported") + ", job status " + entry.jobStatus()));
        } else if (state != LedgerState.RECEIVED && state != LedgerState.QUEUED && state != LedgerState.SUBMITTED) {
            String text = entry.errorCode() == null ? "" : entry.errorCode() + (entry.errorMessage() == null ? ""
                    : ": " + entry.errorMessage());
            if (state == LedgerState.DUPLICATE) {
                text = "of " + entry.duplicateOf() + "; nothing was sent";
            }
            Instant at = entry.finishedAt() != null ? entry.finishedAt() : entry.updatedAt();
            moments.add(new ConsoleViews.Moment(at(at), state.name(), text));
        }
        return moments;
    }

    private ConsoleViews.Row row(LedgerEntry entry, Instant now) {
        String note = switch (entry.state()) {
            case QUEUED -> "place " + entry.queuePlace() + (entry.waitingFor() == null ? "" : ", waits for " + entry.waitingFor());
            case SUBMITTED, RUNNING -> "job " + entry.jobId() + (entry.progress() == null ? "" : " " + entry.progress());
            case DUPLICATE -> "of " + entry.duplicateOf();
            default -> entry.errorCode() == null ? "" : entry.errorCode()
                    + (Boolean.TRUE.equals(entry.retryable()) ? " (retryable)" : "");
        };
        return new ConsoleViews.Row(entry.requestId(), entry.state().name(), entry.projectId(), entry.instanceId(),
                entry.requestedBy(), at(entry.receivedAt()), age(Duration.between(entry.receivedAt(), now)), note);
    }

    private static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        return seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }

    private static String at(Instant instant) {
        return instant == null ? "" : MOMENT.format(instant);
    }

    private String consumerLag() {
        Double lag = null;
        for (Gauge gauge : registry.find("kafka.consumer.fetch.manager.records.lag.max").gauges()) {
            double value = gauge.value();
            if (!Double.isNaN(value)) {
                lag = lag == null ? value : Math.max(lag, value);
            }
        }
        return lag == null ? "not reported yet" : "%.0f record(s) behind at most, per partition".formatted(lag);
    }

    /** A page for someone signed in with the role, or the answer that sends them elsewhere. */
    private Optional<Response> guard(String role) {
        if (!config.console().enabled()) {
            return Optional.of(Response.status(Response.Status.NOT_FOUND).build());
        }
        if (identity.isAnonymous() || !"console-session".equals(identity.getAttribute("credential"))) {
            return Optional.of(Response.seeOther(URI.create(ConsoleSessions.PATH + "/login")).build());
        }
        if (!identity.getRoles().contains(role)) {
            Decisions.console("page", caller(), null, "refused: needs the role " + role);
            return Optional.of(message("Not allowed", "This needs the role " + role + "; you are signed in as " + caller()
                    + " with " + identity.getRoles() + ".", Response.Status.FORBIDDEN));
        }
        return Optional.empty();
    }

    /** As {@link #guard}, for a form posted: its token must be this session's. */
    private Optional<Response> guardForm(String role, String formToken) {
        if (!config.console().enabled()) {
            return Optional.of(Response.status(Response.Status.NOT_FOUND).build());
        }
        if (identity.isAnonymous() || !"console-session".equals(identity.getAttribute("credential"))) {
            return Optional.of(Response.seeOther(URI.create(ConsoleSessions.PATH + "/login")).build());
        }
        String session = identity.getAttribute("console-session");
        if (!sessions.validFormToken(session, formToken)) {
            Decisions.console("form", caller(), null, "refused: the form token is missing or not this session's");
            return Optional.of(message("Form refused", "The form did not come from this console session (its token "
                    + "is missing or stale). Go back, reload the page and send it again.", Response.Status.FORBIDDEN));
        }
        return guard(role);
    }

    private ConsoleViews.Page page(String title, int refreshSeconds) {
        String session = identity.getAttribute("console-session");
        return new ConsoleViews.Page(title, caller(), identity.getRoles().contains(Roles.REQUESTER),
                session == null ? "" : sessions.formToken(session), refreshSeconds);
    }

    private String caller() {
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    private Response loginForm(String error, Response.Status status) {
        String nonce = ConsoleSessions.nonce();
        ConsoleViews.Page page = new ConsoleViews.Page("Sign in", null, false, sessions.formToken("login|" + nonce), 0);
        return Response.fromResponse(html(Templates.login(page, error), status))
                .cookie(new NewCookie.Builder(ConsoleSessions.LOGIN_COOKIE).value(nonce).path(ConsoleSessions.PATH)
                        .httpOnly(true).sameSite(NewCookie.SameSite.STRICT).maxAge(3600).build())
                .build();
    }

    private Response message(String heading, String text, Response.Status status) {
        return html(Templates.message(page(heading, 0), heading, text), status);
    }

    private Response notFound(String requestId) {
        return message("Not found", "No request with request_id " + requestId + " is known (it may be older than the "
                + "de-duplication window).", Response.Status.NOT_FOUND);
    }

    private static Response html(TemplateInstance template, Response.Status status) {
        return Response.status(status).entity(template.render()).type("text/html; charset=UTF-8")
                .header("Content-Security-Policy", CSP)
                .build();
    }

    private static NewCookie cookie(String name, String value, Duration maxAge, UriInfo uri) {
        return new NewCookie.Builder(name).value(value).path(ConsoleSessions.PATH).httpOnly(true)
                .secure("https".equals(uri.getRequestUri().getScheme())).sameSite(NewCookie.SameSite.STRICT)
                .maxAge((int) maxAge.toSeconds()).build();
    }

    private static Instant moment(String text, String field, List<String> problems) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return text.length() <= 16 && text.contains("T")
                    ? LocalDateTime.parse(text).toInstant(ZoneOffset.UTC)
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            problems.add(field + " must be a time in UTC such as 2026-11-29T09:30 or 2026-11-29T09:30:00Z");
            return null;
        }
    }

    private static String searchLink(Map<String, String> filters, int page) {
        StringBuilder link = new StringBuilder(ConsoleSessions.PATH + "/requests?");
        filters.forEach((name, value) -> {
            if (!value.isEmpty()) {
                link.append(name).append('=').append(encode(value)).append('&');
            }
        });
        return link.append("page=").append(page).toString();
    }

    private static String link(Optional<String> template, LedgerEntry entry) {
        return template.map(t -> t.replace("{request_id}", encode(entry.requestId()))
                .replace("{instance_id}", encode(Optional.ofNullable(entry.instanceId()).orElse("")))).orElse(null);
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String pretty(JsonNode request, LedgerEntry entry) {
        if (request == null) {
            return entry.requestJson() == null ? "" : entry.requestJson();
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(request);
        } catch (IOException e) {
            return entry.requestJson();
        }
    }

    private static String prettyText(String json) {
        JsonNode node;
        try {
            node = json == null ? null : JSON.readTree(json);
        } catch (IOException e) {
            return json;
        }
        try {
            return node == null ? null : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return json;
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String blank(String text) {
        return text == null ? "" : text.strip();
    }

    private static String nullIfEmpty(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
