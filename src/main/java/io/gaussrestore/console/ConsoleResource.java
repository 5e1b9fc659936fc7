package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.age;
import static io.gaussrestore.console.ConsoleFormat.encode;
import static io.gaussrestore.console.ConsoleFormat.moment;
import static io.gaussrestore.console.ConsoleFormat.parse;
import static io.gaussrestore.console.RequestViews.formPage;
import static io.gaussrestore.console.RequestViews.retryForm;

import io.gaussrestore.access.AccessFiles;
import io.gaussrestore.access.ApiKeys;
import io.gaussrestore.access.Decisions;
import io.gaussrestore.access.Roles;
import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.http.HttpDoor;
import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerException;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.queue.InstanceQueue;
import io.gaussrestore.request.Violation;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The console for the person on call, served by the service itself: what is in flight, what needs a decision,
 * and one safe way to act (a dry run before a new restore, a confirmation before a request is sent again). Signed
 * in with an API key; restore-viewer sees, restore-requester acts; every form carries a token bound to the
 * session; every action is written to the audit log. Pages are rendered on the server, without scripts.
 */
@Path(ConsoleSessions.PATH)
@PermitAll
public class ConsoleResource {

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

    private final LedgerReads ledger;
    private final HttpDoor door;
    private final InstanceQueue queue;
    private final ConsoleSessions sessions;
    private final AccessFiles access;
    private final GaussDbRestoreClient cloud;
    private final SecurityIdentity identity;
    private final RestoreConfig config;
    private final FormChecks checks;
    private final ConsoleFrame frame;
    private final OverviewModel overviewModel;
    private final RequestPages requestPages;
    private final RetryAdvice retries;

    ConsoleResource(LedgerReads ledger, HttpDoor door, InstanceQueue queue, ConsoleSessions sessions,
            AccessFiles access, GaussDbRestoreClient cloud, SecurityIdentity identity, RestoreConfig config,
            FormChecks checks, RetryAdvice retries, OverviewModel overviewModel, RequestPages requestPages,
            ConsoleFrame frame) {
        this.frame = frame;
        this.overviewModel = overviewModel;
        this.requestPages = requestPages;
        this.checks = checks;
        this.retries = retries;
        this.ledger = ledger;
        this.door = door;
        this.queue = queue;
        this.sessions = sessions;
        this.access = access;
        this.cloud = cloud;
        this.identity = identity;
        this.config = config;
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
        Optional<Response> refused = frame.guardForm(Roles.VIEWER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        String cookie = identity.getAttribute("console-session");
        try {
            sessions.read(cookie).ifPresent(sessions::end);
        } catch (LedgerException e) {
            Decisions.console("sign-out", frame.caller(), null, "failed: the ledger could not record it");
            return frame.message("Not signed out", "The ledger could not record the sign-out, so this session still opens "
                    + "the console. Try again in a moment.", Response.Status.SERVICE_UNAVAILABLE);
        }
        Decisions.console("sign-out", frame.caller(), null, "signed out; the session is ended on every replica");
        return Response.seeOther(URI.create(ConsoleSessions.PATH + "/login"))
                .cookie(cookie(ConsoleSessions.COOKIE, "", Duration.ZERO, uri))
                .build();
    }

    // ---- the pages --------------------------------------------------------------------------------------

    @GET
    public Response overview() {
        Optional<Response> refused = frame.guard(Roles.VIEWER);
        if (refused.isPresent()) {
            return refused.get();
        }
        return ConsoleFrame.html(Templates.overview(frame.page("Overview", 15), overviewModel.build()), Response.Status.OK);
    }

    @GET
    @Path("/requests")
    public Response requests(@QueryParam("request_id") String requestId, @QueryParam("instance_id") String instanceId,
            @QueryParam("project_id") String projectId, @QueryParam("status") String status,
            @QueryParam("requested_by") String requestedBy, @QueryParam("from") String from,
            @QueryParam("until") String until, @QueryParam("page") @DefaultValue("1") int pageNumber) {
        Optional<Response> refused = frame.guard(Roles.VIEWER);
        if (refused.isPresent()) {
            return refused.get();
        }
        ConsoleViews.Search view = requestPages.search(requestId, instanceId, projectId, status, requestedBy, from,
                until, pageNumber);
        return ConsoleFrame.html(Templates.requests(frame.page("Requests", 0), view),
                view.error() == null ? Response.Status.OK : Response.Status.BAD_REQUEST);
    }

    @GET
    @Path("/requests/{request_id}")
    public Response detail(@PathParam("request_id") String requestId) {
        return onEntry(frame.guard(Roles.VIEWER), requestId, entry -> ConsoleFrame.html(Templates.detail(
                frame.page("Request " + requestId, ENDED.contains(entry.state()) ? 0 : 5), requestPages.detail(entry)),
                Response.Status.OK));
    }

    @GET
    @Path("/new")
    public Response newRestorePage() {
        Optional<Response> refused = frame.guard(Roles.REQUESTER);
        if (refused.isPresent()) {
            return refused.get();
        }
        return ConsoleFrame.html(Templates.newRestore(frame.page("New restore", 0), newForm(RestoreForm.empty(), List.of())),
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
        Optional<Response> refused = frame.guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        RestoreForm form = new RestoreForm(requestId, projectId, instanceId, restoreTime, lastTableInfo != null, tables,
                reason, ticket);
        boolean dryRun = !"submit".equals(action);
        FormChecks.Checked checked = checks.check(form, dryRun ? "" : null, null, frame.caller());
        if (!checked.violations().isEmpty()) {
            return ConsoleFrame.html(Templates.newRestore(frame.page("New restore", 0),
                    newForm(form, checked.violations())), Response.Status.BAD_REQUEST);
        }
        return send(checked, dryRun ? "console-dry-run-" : "console-", dryRun ? "dry-run" : "submit",
                () -> ConsoleFrame.html(Templates.newRestore(frame.page("New restore", 0), newForm(form, List.of())),
                        Response.Status.SERVICE_UNAVAILABLE));
    }

    /** The confirmation before a FAILED or UNKNOWN request is sent again as a new one. */
    @GET
    @Path("/requests/{request_id}/retry")
    public Response retryPage(@PathParam("request_id") String requestId) {
        return onEntry(frame.guard(Roles.REQUESTER), requestId, entry -> {
            if (!RequestPages.RETRYABLE.contains(entry.state()) || parse(entry.requestJson()) == null) {
                return frame.message("Not sent again", "Request " + requestId + " is " + entry.state() + ": only FAILED "
                        + "and UNKNOWN requests are sent again from here.", Response.Status.CONFLICT);
            }
            return ConsoleFrame.html(Templates.retry(frame.page("Send again", 0),
                    retries.view(entry, retryForm(entry), List.of())), Response.Status.OK);
        });
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
        Optional<Response> refused = frame.guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        LedgerEntry entry = ledger.find(original).orElse(null);
        if (entry == null) {
            return notFound(original);
        }
        if (!RequestPages.RETRYABLE.contains(entry.state())) {
            return frame.message("Not sent again", "Request " + original + " is " + entry.state() + ": only FAILED and "
                    + "UNKNOWN requests are sent again from here.", Response.Status.CONFLICT);
        }
        RestoreForm form = new RestoreForm(requestId, projectId, instanceId, restoreTime, lastTableInfo != null, tables,
                reason, ticket);
        FormChecks.Checked checked = checks.check(form, null, original, frame.caller());
        List<Violation> violations = new ArrayList<>(checked.violations());
        if (confirm == null) {
            violations.add(new Violation("$", "Tick the box to confirm that you read the risk above."));
        }
        if (!violations.isEmpty()) {
            return ConsoleFrame.html(Templates.retry(frame.page("Send again", 0), retries.view(entry, form, violations)),
                    Response.Status.BAD_REQUEST);
        }
        return send(checked, "console-retry-", "retry of " + original,
                () -> ConsoleFrame.html(Templates.retry(frame.page("Send again", 0), retries.view(entry, form, List.of())),
                        Response.Status.SERVICE_UNAVAILABLE));
    }

    @POST
    @Path("/requests/{request_id}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("request_id") String requestId, @FormParam(ConsoleSessions.FORM_TOKEN) String token) {
        Optional<Response> refused = frame.guardForm(Roles.REQUESTER, token);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (ledger.find(requestId).isEmpty()) {
            return notFound(requestId);
        }
        Optional<LedgerEntry> cancelled = queue.cancel(requestId, "cancelled by " + frame.caller() + " in the console");
        Decisions.console("cancel", frame.caller(), requestId, cancelled.isPresent() ? "cancelled" : "refused: not waiting");
        if (cancelled.isEmpty()) {
            return frame.message("Not cancelled", "Request " + requestId + " is " + ledger.find(requestId).orElseThrow().state()
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

    private interface Fallback {
        Response get();
    }

    /** Sends a request through the HTTP door as the signed-in caller and shows its page. */
    private Response send(FormChecks.Checked checked, String idPrefix, String action, Fallback unavailable) {
        HttpDoor.Answer answer = door.send(frame.caller(), identity.getRoles(), checked.json(), checked.check(), idPrefix,
                        ConsoleSessions.PATH)
                .await().atMost(Duration.ofSeconds(15));
        Decisions.console(action, frame.caller(), answer.requestId(), answer.status() + (answer.error() == null ? ""
                : " " + answer.error()));
        if (answer.status() == 202 || answer.status() == 403) {
            // A request the policy refused was written all the same: its page says REJECTED POLICY_DENIED.
            return Response.seeOther(URI.create(ConsoleSessions.PATH + "/requests/" + encode(answer.requestId()))).build();
        }
        if (answer.status() == 400) {
            return frame.message("Not sent", answer.error(), Response.Status.BAD_REQUEST);
        }
        return unavailable.get();
    }

    private ConsoleViews.FormPage newForm(RestoreForm form, List<Violation> violations) {
        return formPage(form, violations, ConsoleSessions.PATH + "/new", "Dry run",
                "A dry run comes first: it checks the request and the instance without claiming or sending anything, "
                        + "and its page has the button that sends the restore for real.", false);
    }

    private Response loginForm(String error, Response.Status status) {
        String nonce = ConsoleSessions.nonce();
        ConsoleViews.Page page = new ConsoleViews.Page("Sign in", null, false, sessions.formToken("login|" + nonce), 0);
        return Response.fromResponse(ConsoleFrame.html(Templates.login(page, error), status))
                .cookie(new NewCookie.Builder(ConsoleSessions.LOGIN_COOKIE).value(nonce).path(ConsoleSessions.PATH)
                        .httpOnly(true).sameSite(NewCookie.SameSite.STRICT).maxAge(3600).build())
                .build();
    }

    /** A request's page: refused as the guard says, 404 for an unknown request, else what {@code page} makes of it. */
    private Response onEntry(Optional<Response> refused, String requestId, Function<LedgerEntry, Response> page) {
        if (refused.isPresent()) {
            return refused.get();
        }
        return ledger.find(requestId).map(page).orElseGet(() -> notFound(requestId));
    }

    private Response notFound(String requestId) {
        return frame.message("Not found", "No request with request_id " + requestId + " is known (it may be older than the "
                + "de-duplication window).", Response.Status.NOT_FOUND);
    }

    private static NewCookie cookie(String name, String value, Duration maxAge, UriInfo uri) {
        return new NewCookie.Builder(name).value(value).path(ConsoleSessions.PATH).httpOnly(true)
                .secure("https".equals(uri.getRequestUri().getScheme())).sameSite(NewCookie.SameSite.STRICT)
                .maxAge((int) maxAge.toSeconds()).build();
    }
}
