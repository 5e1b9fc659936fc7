package io.gaussrestore.console;

import static io.gaussrestore.testing.Requests.PROJECT;
import static io.gaussrestore.testing.Requests.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gaussrestore.access.ApiKeys;
import io.gaussrestore.testing.BrokerProcess;
import io.gaussrestore.testing.RecordCollector;
import io.gaussrestore.testing.ServiceProcess;
import io.gaussrestore.testing.SimulatorProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs) drives the production jar against a broker and the simulator in processes of their own.
 * Sign in, a form with a mistake, a dry run, the real request watched to COMPLETED, a FAILED request sent again;
 * a screenshot of each page goes to {@code target/console-screenshots}. Without Chromium the class is skipped
 * with a message saying so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static BrokerProcess broker;
    private static SimulatorProcess simulator;
    private static ServiceProcess service;
    private static RecordCollector topics;
    private static WebDriver browser;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
        Path driver = Path.of(System.getProperty("console.chromedriver", "/usr/bin/chromedriver"));
        Assumptions.assumeTrue(Files.isExecutable(chromium) && Files.isExecutable(driver),
                "SKIPPED: the console's browser tests need headless Chromium and its driver (" + chromium + ", " + driver
                        + "): apt-get install chromium chromium-driver (.ci/run installs them)");
        Files.createDirectories(SHOTS);
        broker = BrokerProcess.start();
        simulator = SimulatorProcess.start("console-simulator", Duration.ofSeconds(6));
        topics = new RecordCollector(broker.bootstrap(), "console", 3);
        key = "console-browser-" + UUID.randomUUID().toString().replace("-", "");
        Path keys = Files.createDirectories(Path.of("target", "console-browser")).resolve("api-keys");
        Files.writeString(keys, ApiKeys.hash(key) + " on-call-person restore-requester,restore-viewer\n");
        Map<String, String> env = new HashMap<>(topics.environment());
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap());
        env.put("RESTORE_CONSUMER_GROUP", "console-" + topics.requests);
        env.put("GAUSSDB_ENDPOINT", simulator.baseUrl());
        env.put("GAUSSDB_AUTH_TOKEN", "local-dev-token");
        env.put("RESTORE_LEDGER_JDBC_URL", "jdbc:h2:mem:console-browser;DB_CLOSE_DELAY=-1");
        env.put("RESTORE_API_KEYS_FILE", keys.toAbsolutePath().toString());
        env.put("RESTORE_TRACKING_INTERVAL", "PT1S");
        env.put("RESTORE_TRACKING_FIRST_POLL_DELAY", "PT1S");
        service = ServiceProcess.start("console-service", env);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1100", "--lang=en-US");
        ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(driverService, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {service, simulator, topics, broker}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static void open(String path) {
        browser.get(service.baseUrl() + path);
    }

    /**
     * Clicks what submits a form or follows a link, and waits until the browser shows the page it leads to: a click
     * may return before the navigation it starts, and the old page would be read in between.
     */
    private static void clickAndAwaitPage(By target, String urlPart) {
        WebElement before = browser.findElement(By.tagName("html"));
        browser.findElement(target).click();
        await().atMost(WAIT).until(() -> isGone(before) && browser.getCurrentUrl().contains(urlPart));
    }

    private static boolean isGone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException gone) {
            return true;
        }
    }

    private static void shoot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private static String status() {
        return browser.findElement(By.cssSelector("h1 .status")).getText();
    }

    private static void awaitStatus(String... statuses) {
        // The request's page may say "not found" for a moment: the request is read from the topic after the redirect.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            browser.navigate().refresh();
            return java.util.Arrays.asList(statuses).contains(status());
        });
    }

    @Test
    @Order(1)
    void signInAndSeeTheOverview() throws Exception {
        open("/console");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        shoot("1-sign-in");
        type("api_key", key);
        clickAndAwaitPage(By.cssSelector("form button[type=submit]"), "/console");
        assertThat(browser.getCurrentUrl()).endsWith("/console");
        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Overview");
        assertThat(browser.findElement(By.cssSelector("header .who")).getText()).isEqualTo("on-call-person");
        shoot("2-overview");
    }

    @Test
    @Order(2)
    void aMistakeIsShownNextToItsFieldThenADryRunThenTheRealRestoreReachesCompleted() throws Exception {
        String instance = instance();
        open("/console/new");
        type("project_id", PROJECT);
        type("instance_id", "not-an-instance");
        type("restore_time", Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString());
        type("restore_tables", "shop orders orders_back\nshop <script>alert(1)</script> items_back");
        type("reason", "rows deleted by a bad migration");
        type("ticket", "INC-4711");
        clickAndAwaitPage(By.cssSelector("form.restore-form button[type=submit]"), "/console/new");
        WebElement error = browser.findElement(By.cssSelector("p.field-error[data-field=instance_id]"));
        assertThat(error.getText()).contains("in07");
        assertThat(browser.findElements(By.cssSelector("p.field-error[data-field=restore_tables]"))).isNotEmpty();
        assertThat(browser.findElements(By.tagName("script"))).as("markup typed in is text").isEmpty();
        assertNoAlert();
        shoot("3-form-with-errors");

        type("instance_id", instance);
        type("restore_tables", "shop orders orders_back\nshop items items_back");
        clickAndAwaitPage(By.cssSelector("form.restore-form button[type=submit]"), "/console/requests/");
        assertThat(browser.getCurrentUrl()).contains("/console/requests/console-dry-run-");
        awaitStatus("DRY_RUN");
        assertThat(browser.getPageSource()).contains("WOULD_SUBMIT");
        shoot("4-dry-run");

        clickAndAwaitPage(By.xpath("//button[text()='Submit this restore']"), "/console/requests/");
        assertThat(browser.getCurrentUrl()).contains("/console/requests/console-").doesNotContain("dry-run");
        awaitStatus("COMPLETED");
        assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText()).contains("SUBMITTED", "COMPLETED");
        shoot("5-request-completed");

        open("/console/requests?instance_id=" + instance);
        assertThat(browser.findElements(By.cssSelector("main table tbody tr"))).hasSize(2);
        shoot("6-search");
    }

    @Test
    @Order(3)
    void aFailedRequestIsSentAgainAfterTheConfirmation() throws Exception {
        String id = "browser-failed-" + UUID.randomUUID();
        String instance = instance();
        long tooOld = Instant.now().minus(Duration.ofDays(30)).toEpochMilli();
        topics.send(instance, """
                {"request_id": "%s", "project_id": "%s", "instance_id": "%s", "restore_time": %d, "reason": "first try",
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"}]}]}
                """.formatted(id, PROJECT, instance, tooOld));
        topics.flush();
        open("/console/requests/" + id);
        awaitStatus("FAILED");
        clickAndAwaitPage(By.linkText("Send again as a new request…"), "/retry");
        assertThat(browser.findElement(By.cssSelector(".warning")).getText()).contains("No job was started");
        shoot("7-retry-confirmation");

        type("restore_time", Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS).toString());
        browser.findElement(By.name("confirm")).click();
        clickAndAwaitPage(By.cssSelector("form.restore-form button[type=submit]"), "/console/requests/");
        assertThat(browser.getCurrentUrl()).contains("/console/requests/console-retry-");
        awaitStatus("SUBMITTED", "RUNNING", "COMPLETED");
        assertThat(browser.findElement(By.linkText(id)).getAttribute("href")).endsWith("/console/requests/" + id);
        shoot("8-sent-again");

        open("/console");
        shoot("2-overview");
    }

    private static void assertNoAlert() {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script ran: an alert is open");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }
}
