package io.gaussrestore.console;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.testing.Api;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.gaussrestore.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console over HTTP as a browser uses it (cookies, forms, redirects), against the simulator and a real broker:
 * sign-in and roles, form tokens, every violation next to its field, escaping, the dry run then the real request
 * to COMPLETED, and sending a FAILED request again. The same flows in a real browser: {@code ConsoleBrowserIT}.
 */
@QuarkusTest
@TestProfile(SimulatorBackedProfile.class)
class ConsoleTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern TOKEN = Pattern.compile("name=\"form_token\" value=\"([^\"]+)\"");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">");

    private final List<String> decisions = new CopyOnWriteArrayList<>();
    private final Handler audit = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getParameters() == null || record.getParameters().length == 0
                    ? record.getMessage()
                    : String.format(record.getMessage(), record.getParameters());
            decisions.add(message);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        java.util.logging.Logger.getLogger("io.gaussrestore.access.decisions").addHandler(audit);
    }

    @AfterEach
    void stopListening() {
        java.util.logging.Logger.getLogger("io.gaussrestore.access.decisions").removeHandler(audit);
    }

    // ---- a browser, by hand ------------------------------------------------------------------------------

    /** A signed-in browser: its session cookie and the token its forms carry. */
    record Browser(String session, String token) {
        Response get(String path) {
            return given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, session).get(path);
        }

        Response post(String path, Map<String, String> form) {
            var request = given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, session)
                    .contentType("application/x-www-form-urlencoded; charset=UTF-8");
            form.forEach(request::formParam);
            return request.post(path);
        }

        Response post(String path, Map<String, String> form, boolean withToken) {
            Map<String, String> all = new LinkedHashMap<>(form);
            if (withToken) {
                all.put(ConsoleSessions.FORM_TOKEN, token);
            }
            return post(path, all);
        }
    }

    private static Response signInAttempt(String key, boolean withToken) {
        Response page = given().redirects().follow(false).get("/console/login");
        assertThat(page.statusCode()).isEqualTo(200);
        var request = given().redirects().follow(false).cookie(ConsoleSessions.LOGIN_COOKIE,
                        page.getCookie(ConsoleSessions.LOGIN_COOKIE))
                .contentType("application/x-www-form-urlencoded").formParam("api_key", key);
        if (withToken) {
            request.formParam(ConsoleSessions.FORM_TOKEN, token(page.asString()));
        }
        return request.post("/console/login");
    }

    static Browser signIn(String key) {
        Response signed = signInAttempt(key, true);
        assertThat(signed.statusCode()).isEqualTo(303);
        String session = signed.getCookie(ConsoleSessions.COOKIE);
        Response overview = given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, session).get("/console");
        assertThat(overview.statusCode()).isEqualTo(200);
        return new Browser(session, token(overview.asString()));
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertThat(m.find()).as("a form token on the page").isTrue();
        return m.group(1);
    }

    private static Map<String, String> form(String instance, Instant restoreTime, String tables) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("project_id", PROJECT);
        form.put("instance_id", instance);
        form.put("restore_time", restoreTime.toString());
        form.put("last_table_info", "true");
        form.put("restore_tables", tables);
        form.put("reason", "rows deleted by a bad migration");
        form.put("ticket", "INC-42");
        return form;
    }

    private static List<String> fieldErrors(String html, String field) {
        Matcher m = Pattern.compile("<p class=\"error field-error\" data-field=\"" + field + "\">([^<]*)</p>").matcher(html);
        List<String> errors = new ArrayList<>();
        while (m.find()) {
            errors.add(m.group(1));
        }
        return errors;
    }

    private static String requestPath(Response redirect) {
        assertThat(redirect.statusCode()).as(redirect.asString()).isEqualTo(303);
        String location = redirect.getHeader("Location");
        assertThat(location).contains("/console/requests/");
        return location.substring(location.indexOf("/console/requests/"));
    }

    // ---- the tests ---------------------------------------------------------------------------------------

    @Test
    void aVisitorSignsInWithAnApiKeyAndTheSessionOpensTheConsoleOnly() {
        Response anonymous = given().redirects().follow(false).get("/console");
        assertThat(anonymous.statusCode()).isEqualTo(303);
        assertThat(anonymous.getHeader("Location")).endsWith("/console/login");

        Response signed = signInAttempt(Api.BOT_KEY, true);
        assertThat(signed.statusCode()).isEqualTo(303);
        String setCookie = signed.getHeaders().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(ConsoleSessions.COOKIE + "=")).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly", "SameSite=Strict", "Path=/console");
        assertThat(setCookie).as("the session never holds the key").doesNotContain(Api.BOT_KEY);

        Browser browser = signIn(Api.BOT_KEY);
        Response overview = browser.get("/console");
        assertThat(overview.contentType()).startsWith("text/html");
        assertThat(overview.getHeader("Content-Security-Policy")).contains("default-src 'none'", "frame-ancestors 'none'");
        assertThat(overview.asString()).contains("Overview", "test-bot", "Requests by status", "Waiting for their instance",
                "Circuit:", "Consumer lag:", "New restore");
        assertThat(overview.asString()).as("no script anywhere").doesNotContain("<script");

        // The session cookie is the console's alone: the restore API does not take it.
        given().cookie(ConsoleSessions.COOKIE, browser.session()).get("/restores").then().statusCode(401);
        // An altered session is no session.
        Response forged = given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, browser.session() + "x")
                .get("/console");
        assertThat(forged.statusCode()).isEqualTo(303);

        Response out = browser.post("/console/logout", Map.of(), true);
        assertThat(out.statusCode()).isEqualTo(303);
        // A copy of the cookie taken before the sign-out opens nothing after it: the server ended the session.
        Response replayed = browser.get("/console");
        assertThat(replayed.statusCode()).isEqualTo(303);
        assertThat(replayed.getHeader("Location")).endsWith("/console/login");
        assertThat(browser.get("/console/requests").statusCode()).isEqualTo(303);
        assertThat(decisions).anyMatch(line -> line.contains("action=sign-in") && line.contains("caller=\"test-bot\""));
        assertThat(decisions).anyMatch(line -> line.contains("action=sign-out") && line.contains("caller=\"test-bot\""));
        assertThat(String.join("\n", decisions)).as("no key in the audit lines").doesNotContain(Api.BOT_KEY);
    }

    @Test
    void signInRefusesUnknownKeysFormsFromElsewhereAndKeysThatMayNotRead() {
        Response unknown = signInAttempt("an-unknown-key-that-is-long-enough-0123456789", true);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.asString()).contains("not known");
        assertThat(unknown.getCookie(ConsoleSessions.COOKIE)).isNull();

        Response noToken = signInAttempt(Api.BOT_KEY, false);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.getCookie(ConsoleSessions.COOKIE)).isNull();

        Response requesterOnly = signInAttempt(Api.REQUESTER_KEY, true);
        assertThat(requesterOnly.statusCode()).isEqualTo(403);
        assertThat(requesterOnly.asString()).contains("restore-viewer");
        assertThat(decisions).anyMatch(line -> line.contains("action=sign-in") && line.contains("unknown API key"));
    }

    @Test
    void aViewerSeesButMayNotAct() {
        Browser viewer = signIn(Api.VIEWER_KEY);
        Response overview = viewer.get("/console");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.asString()).doesNotContain("href=\"/console/new\"");

        Response form = viewer.get("/console/new");
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.asString()).contains("restore-requester");
        Response send = viewer.post("/console/new", form(instance(), Instant.now().minus(Duration.ofHours(1)),
                "shop orders orders_back"), true);
        assertThat(send.statusCode()).isEqualTo(403);
        assertThat(decisions).anyMatch(line -> line.contains("caller=\"viewer-only\"") && line.contains("needs the role"));
    }

    @Test
    void aFormWithoutThisSessionsTokenIsRefusedAndNothingIsSent() {
        Browser browser = signIn(Api.BOT_KEY);
        Browser other = signIn(Api.BOT_KEY);
        String instance = instance();
        Map<String, String> fields = form(instance, Instant.now().minus(Duration.ofHours(1)), "shop orders orders_back");

        Response missing = browser.post("/console/new", fields, false);
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.asString()).contains("Form refused");
        Map<String, String> withOthersToken = new LinkedHashMap<>(fields);
        withOthersToken.put(ConsoleSessions.FORM_TOKEN, other.token() + "0");
        assertThat(browser.post("/console/new", withOthersToken).statusCode()).isEqualTo(403);

        Response found = browser.get("/console/requests?instance_id=" + instance);
        assertThat(found.asString()).contains("No request matches");
    }

    @Test
    void everyViolationIsShownNextToItsFieldAndNothingIsSent() {
        Browser browser = signIn(Api.BOT_KEY);
        Map<String, String> fields = form("not-an-instance", Instant.now(), "shop orders");
        fields.put("restore_time", "yesterday");
        fields.put("project_id", "PROJECT");

        Response answer = browser.post("/console/new", fields, true);

        assertThat(answer.statusCode()).isEqualTo(400);
        String html = answer.asString();
        assertThat(fieldErrors(html, "instance_id")).singleElement().asString().contains("in07");
        assertThat(fieldErrors(html, "restore_time")).singleElement().asString().contains("yesterday");
        assertThat(fieldErrors(html, "restore_tables")).singleElement().asString().contains("line 1");
        assertThat(fieldErrors(html, "reason")).isEmpty();
        assertThat(html).as("a dry run comes first: no request_id is asked before it").doesNotContain("name=\"request_id\"");
        assertThat(html).as("what was typed stays in the form").contains("value=\"not-an-instance\"");

        fields = form(instance(), Instant.now().minus(Duration.ofHours(1)), "shop orders orders_back");
        fields.put("project_id", "PROJECT");
        String rules = browser.post("/console/new", fields, true).asString();
        assertThat(fieldErrors(rules, "project_id")).as("the service's own rules, next to their field").isNotEmpty();
    }

    @Test
    void textFromRequestsIsShownAsTextNeverAsMarkup() {
        Browser browser = signIn(Api.BOT_KEY);
        Response typed = browser.post("/console/new", form(instance(), Instant.now().minus(Duration.ofHours(1)),
                "shop <script>alert(1)</script> t_back"), true);
        assertThat(typed.asString()).doesNotContain("<script>alert(1)</script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");

        // A request with markup in its fields, through the Kafka door: REJECTED, and its page shows the text.
        String id = "console-escape-" + UUID.randomUUID();
        String instance = instance();
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d,
                 "reason": "<img src=x onerror=alert(2)>",
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "<script>", "new_name": "t_back"}]}]}
                """.formatted(id, PROJECT, instance, Instant.now().minus(Duration.ofHours(1)).toEpochMilli()));
        await().atMost(WAIT).until(() -> browser.get("/console/requests/" + id).statusCode() == 200);
        String page = browser.get("/console/requests/" + id).asString();
        assertThat(page).doesNotContain("<script>", "<img src=x").contains("&lt;script&gt;", "&lt;img src=x");
    }

    @Test
    void aDryRunFirstThenTheRealRequestWhichReachesCompleted() {
        Browser browser = signIn(Api.BOT_KEY);
        String instance = instance();
        Instant restoreTime = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Response dryRun = browser.post("/console/new", form(instance, restoreTime,
                "shop orders orders_back\nshop items items_back"), true);
        String dryRunPage = requestPath(dryRun);
        assertThat(dryRunPage).contains("console-dry-run-");

        await().atMost(WAIT).until(() -> browser.get(dryRunPage).asString().contains("WOULD_SUBMIT"));
        String html = browser.get(dryRunPage).asString();
        assertThat(html).contains("DRY_RUN", "Submit this restore", "validation: passed");
        Map<String, String> hidden = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html.substring(html.indexOf("Send it for real")));
        while (m.find()) {
            hidden.put(m.group(1), m.group(2));
        }
        hidden.put("action", "submit");
        assertThat(hidden).containsKeys(ConsoleSessions.FORM_TOKEN, "instance_id", "restore_tables");

        String realPage = requestPath(browser.post("/console/new", hidden));
        assertThat(realPage).contains("console-").doesNotContain("dry-run");
        await().atMost(WAIT).until(() -> browser.get(realPage).asString().contains(">COMPLETED<"));
        String done = browser.get(realPage).asString();
        assertThat(done).contains("SUBMITTED", "job ", "test-bot", "INC-42");
        assertThat(browser.get("/console").asString()).as("the project's restore budget on the overview")
                .contains("<td><code>" + PROJECT + "</code></td><td>restore</td>");
        assertThat(decisions).anyMatch(line -> line.contains("action=dry-run") && line.contains("caller=\"test-bot\""));
        assertThat(decisions).anyMatch(line -> line.contains("action=submit") && line.contains("caller=\"test-bot\"")
                && line.contains("outcome=\"202\""));

        // Sent for real again, the same restore is refused next to its tables: it is held by the request just made.
        Map<String, String> twice = new LinkedHashMap<>(hidden);
        twice.put(ConsoleSessions.FORM_TOKEN, browser.token());
        Response held = browser.post("/console/new", twice);
        assertThat(held.statusCode()).isEqualTo(400);
        assertThat(fieldErrors(held.asString(), "restore_tables")).singleElement().asString()
                .contains("held by request " + realPage.substring("/console/requests/".length()), "DUPLICATE");

        // The same restore again: the dry run says it would be a duplicate of the one just made.
        String again = requestPath(browser.post("/console/new", form(instance, restoreTime,
                "shop orders orders_back\nshop items items_back"), true));
        await().atMost(WAIT).until(() -> browser.get(again).asString().contains("WOULD_"));
        assertThat(browser.get(again).asString()).contains("WOULD_BE_DUPLICATE", realPage.substring("/console/requests/".length()));
    }

    @Test
    void aFailedRequestIsSentAgainAsANewOneAfterAConfirmation() {
        Browser browser = signIn(Api.BOT_KEY);
        String id = "console-failed-" + UUID.randomUUID();
        String instance = instance();
        // Older than the cloud's restorable window (7 days in the simulator): the cloud refuses it, FAILED.
        Instant tooOld = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        TestTopics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d, "reason": "oops",
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(id, PROJECT, instance, tooOld.toEpochMilli()));
        await().atMost(WAIT).until(() -> browser.get("/console/requests/" + id).asString().contains(">FAILED<"));
        assertThat(browser.get("/console/requests/" + id).asString()).contains("Send again as a new request");

        Response confirm = browser.get("/console/requests/" + id + "/retry");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.asString()).contains("No job was started for it", "The cloud says the instance has status",
                "retry of " + id, tooOld.toString());

        Map<String, String> fields = form(instance, Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS),
                "shop orders orders_back");
        fields.put("reason", "retry of " + id + ": oops");
        Map<String, String> mistaken = new LinkedHashMap<>(fields);
        mistaken.put("request_id", "not an id!");
        mistaken.put("restore_time", "yesterday");
        mistaken.put("confirm", "yes");
        String both = browser.post("/console/requests/" + id + "/retry", mistaken, true).asString();
        assertThat(fieldErrors(both, "request_id")).as("every field at once").singleElement().asString()
                .contains("letters, digits");
        assertThat(fieldErrors(both, "restore_time")).singleElement().asString().contains("yesterday");

        Response unconfirmed = browser.post("/console/requests/" + id + "/retry", fields, true);
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.asString()).contains("Tick the box");

        fields.put("confirm", "yes");
        String newPage = requestPath(browser.post("/console/requests/" + id + "/retry", fields, true));
        assertThat(newPage).contains("console-retry-");
        await().atMost(WAIT).until(() -> browser.get(newPage).asString().contains(">SUBMITTED<")
                || browser.get(newPage).asString().contains(">RUNNING<") || browser.get(newPage).asString().contains(">COMPLETED<"));
        assertThat(browser.get(newPage).asString()).contains("sent again from", "href=\"/console/requests/" + id + "\"");
        assertThat(decisions).anyMatch(line -> line.contains("action=\"retry of " + id + "\"") || line.contains("action=retry of " + id));

        // A request that did not fail is not sent again from here.
        String completedOrRunning = newPage.substring("/console/requests/".length());
        assertThat(browser.get("/console/requests/" + completedOrRunning + "/retry").statusCode()).isEqualTo(409);
    }

    @Test
    void searchFindsByInstanceAndStatusAndPages() {
        Browser browser = signIn(Api.BOT_KEY);
        Response bad = browser.get("/console/requests?status=NOPE&from=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.asString()).contains("status must be one of", "from must be a time in UTC");

        String instance = instance();
        for (int i = 0; i < 3; i++) {
            TestTopics.send(instance, """
                    {"request_id": "console-search-%d-%s", "project_id": "%s", "instance_id": "%s", "restore_time": 1,
                     "restore_tables": [{"database": "shop", "tables": [{"old_name": "t", "new_name": "t_back"}]}]}
                    """.formatted(i, instance, PROJECT, instance));
        }
        await().atMost(WAIT).until(() -> browser.get("/console/requests?instance_id=" + instance + "&status=REJECTED")
                .asString().split("console-search-", -1).length - 1 >= 3);
        String html = browser.get("/console/requests?instance_id=" + instance + "&status=rejected").asString();
        assertThat(html).contains("console-search-0-", "console-search-1-", "console-search-2-");
        assertThat(browser.get("/console/requests?request_id=console-search-1-" + instance).asString())
                .contains("console-search-1-").doesNotContain("console-search-0-");
        assertThat(browser.get("/console/requests?instance_id=" + instance + "&status=COMPLETED").asString())
                .contains("No request matches");
    }
}
