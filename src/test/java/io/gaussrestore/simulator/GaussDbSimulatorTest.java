package io.gaussrestore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GaussDbSimulatorTest {

    private static final String PROJECT = "97b026aa9cc4417888c14c84a1ad9860";
    private static final String INSTANCE = "61a4ea66210545909d74a05c27a7179ein07";
    private static final String TOKEN = "fixed-token";
    private static final Instant START = Instant.parse("2026-11-28T06:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final SimulatorSettings defaults = new SimulatorSettings(Duration.ofSeconds(10), Duration.ofSeconds(20),
            0, Duration.ofSeconds(1), Duration.ofDays(7), 0, Duration.ofMinutes(1), Duration.ZERO, Map.of(), "right");
    private GaussDbSimulator simulator = new GaussDbSimulator(defaults, Set.of(TOKEN), Map.of("AccessKey", "SecretKey"),
            clock, new Random(3));

    private String body(Instant restoreTime) {
        return """
                {"restore_time": "%d", "last_table_info": "true",
                 "restore_tables": [{"database": "test_db_1", "tables": [{"old_name": "t3", "new_name": "t3_r"}]}]}
                """.formatted(restoreTime.toEpochMilli());
    }

    private SimResponse restore(String instance, String body) {
        return simulator.handle(GaussDbSimulator.Call.of("restore", "POST", "/restore", PROJECT, instance, TOKEN,
                Map.of(), body)).response();
    }

    private SimResponse restore() {
        return restore(INSTANCE, body(clock.instant().minus(Duration.ofHours(1))));
    }

    private SimResponse job(String id, String token) {
        Map<String, String> query = new HashMap<>();
        query.put("id", id);
        return simulator.handle(GaussDbSimulator.Call.of("job", "GET", "/jobs", PROJECT, null, token, query, null)).response();
    }

    private SimResponse instance() {
        return simulator.handle(GaussDbSimulator.Call.of("instance", "GET", "/instance", PROJECT, INSTANCE, TOKEN,
                Map.of(), null)).response();
    }

    private SimResponse token(String password) {
        return simulator.handle(GaussDbSimulator.Call.of("token", "POST", "/v3/auth/tokens", "", null, null, Map.of(), """
                {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "password": "%s",
                 "domain": {"name": "d"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}
                """.formatted(password))).response();
    }

    @Test
    void aValidRestoreAnswersAJobIdAndIsJournaled() {
        SimResponse response = restore();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("job_id").asText()).matches("[0-9a-f-]{36}");
        assertThat(response.headers()).containsKey("X-Request-Id");
        assertThat(simulator.journal()).singleElement().satisfies(entry -> {
            assertThat(entry.operation()).isEqualTo("restore");
            assertThat(entry.instanceId()).isEqualTo(INSTANCE);
            assertThat(entry.jobId()).isEqualTo(response.body().get("job_id").asText());
            assertThat(entry.status()).isEqualTo(200);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty body||400|DBS.200006",
            "empty object|{}|400|DBS.200006",
            "not JSON|{nope|400|DBS.200001",
            "restore_tables missing|{\"restore_time\": \"1764309600000\"}|400|DBS.200001",
            "restore_tables empty|{\"restore_time\": \"1764309600000\", \"restore_tables\": []}|400|DBS.200001",
            "restore_time missing|{\"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.200001",
            "restore_time not a number|{\"restore_time\": \"yesterday\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.200001",
            "last_table_info wrong|{\"restore_time\": \"1764309600000\", \"last_table_info\": \"yes\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.200001",
            "database missing|{\"restore_time\": \"1764309600000\", \"restore_tables\": [{\"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.200001",
            "tables empty|{\"restore_time\": \"1764309600000\", \"restore_tables\": [{\"database\": \"d\", \"tables\": []}]}|400|DBS.200001",
            "bad table name|{\"restore_time\": \"1764309600000\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"订单\", \"new_name\": \"b\"}]}]}|400|DBS.280277",
            "new_name missing|{\"restore_time\": \"1764309600000\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\"}]}]}|400|DBS.280277",
            "restore_time 8 days ago|{\"restore_time\": \"1763618400000\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.201203",
            "restore_time in the future|{\"restore_time\": \"1764313200000\", \"restore_tables\": [{\"database\": \"d\", \"tables\": [{\"old_name\": \"a\", \"new_name\": \"b\"}]}]}|400|DBS.201203"})
    void invalidRestoresAreRefusedLikeTheRealApi(String name, String body, int status, String code) {
        SimResponse response = restore(INSTANCE, body);
        assertThat(response.status()).as(name).isEqualTo(status);
        assertThat(response.body().get("error_code").asText()).as(name).isEqualTo(code);
        assertThat(response.body().get("error_msg").asText()).isNotBlank();
    }

    @Test
    void aMalformedInstanceOrProjectIdIsRefused() {
        assertThat(restore("not-an-instance", body(START.minusSeconds(60))).errorCode()).isEqualTo("DBS.280404");
        SimResponse badProject = simulator.handle(GaussDbSimulator.Call.of("restore", "POST", "/r", "short", INSTANCE,
                TOKEN, Map.of(), body(START.minusSeconds(60)))).response();
        assertThat(badProject.status()).isEqualTo(400);
        assertThat(badProject.errorCode()).isEqualTo("DBS.200001");
    }

    @Test
    void anInstanceTakesOneRestoreAtATime() {
        assertThat(restore().status()).isEqualTo(200);
        SimResponse second = restore();
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.errorCode()).isEqualTo("DBS.200019");
        assertThat(restore("00000000000000000000000000000000in07", body(START.minusSeconds(60))).status())
                .as("another instance is free").isEqualTo(200);

        clock.advance(Duration.ofSeconds(20));
        assertThat(restore().status()).as("after the job ended").isEqualTo(200);
    }

    @Test
    void aJobGoesFromPendingThroughRunningToCompleted() {
        String jobId = restore().body().get("job_id").asText();

        assertThat(job(jobId, TOKEN).errorCode()).as("a new id is not visible yet").isEqualTo("DBS.200543");
        clock.advance(Duration.ofMillis(999));
        assertThat(job(jobId, TOKEN).errorCode()).isEqualTo("DBS.200543");
        clock.advance(Duration.ofMillis(1));
        assertThat(job(jobId, TOKEN).body().get("job").get("status").asText()).as("first 10%").isEqualTo("Pending");
        assertThat(instance().body().get("instance").get("status").asText()).isEqualTo("RESTORING");

        clock.advance(Duration.ofSeconds(4));
        var running = job(jobId, TOKEN).body().get("job");
        assertThat(running.get("status").asText()).isEqualTo("Running");
        assertThat(running.get("process").asText()).isEqualTo("25%");
        clock.advance(Duration.ofSeconds(10));
        assertThat(job(jobId, TOKEN).body().get("job").get("process").asText()).isEqualTo("75%");

        clock.advance(Duration.ofSeconds(5));
        var done = job(jobId, TOKEN).body().get("job");
        assertThat(done.get("status").asText()).isEqualTo("Completed");
        assertThat(done.get("ended").asText()).isEqualTo("2026-11-28T06:00:20+0000");
        assertThat(done.get("created").asText()).isEqualTo("2026-11-28T06:00:00+0000");
        assertThat(done.get("instance").get("id").asText()).isEqualTo(INSTANCE);
        assertThat(instance().body().get("instance").get("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void failingJobsEndFailedWithAReason() {
        simulator.update(new SimulatorSettings.Patch(null, null, 1.0, null, null, null, null, null));
        String jobId = restore().body().get("job_id").asText();
        clock.advance(Duration.ofSeconds(21));

        var job = job(jobId, TOKEN).body().get("job");
        assertThat(job.get("status").asText()).isEqualTo("Failed");
        assertThat(job.get("fail_reason").asText()).isNotBlank();
    }

    @Test
    void unknownJobsDoNotExist() {
        SimResponse response = job("00000000-0000-0000-0000-000000000000", TOKEN);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("DBS.200543");
    }

    @Test
    void restoreTimesCoverTheLastSevenDays() {
        SimResponse all = simulator.handle(GaussDbSimulator.Call.of("restore_time", "GET", "/rt", PROJECT, INSTANCE,
                TOKEN, Map.of(), null)).response();
        var range = all.body().get("restore_times").get(0);
        assertThat(range.get("start_time").asLong()).isEqualTo(START.minus(Duration.ofDays(7)).toEpochMilli());
        assertThat(range.get("end_time").asLong()).isEqualTo(START.toEpochMilli());

        SimResponse oneDay = simulator.handle(GaussDbSimulator.Call.of("restore_time", "GET", "/rt", PROJECT, INSTANCE,
                TOKEN, Map.of("date", "2026-11-25"), null)).response();
        var day = oneDay.body().get("restore_times").get(0);
        assertThat(day.get("start_time").asLong()).isEqualTo(Instant.parse("2026-11-25T00:00:00Z").toEpochMilli());
        assertThat(day.get("end_time").asLong()).isEqualTo(Instant.parse("2026-11-25T23:59:59.999Z").toEpochMilli());

        SimResponse outside = simulator.handle(GaussDbSimulator.Call.of("restore_time", "GET", "/rt", PROJECT, INSTANCE,
                TOKEN, Map.of("date", "2026-10-01"), null)).response();
        assertThat(outside.body().get("restore_times")).isEmpty();
    }

    @Test
    void tokensAreIssuedAndExpire() {
        SimResponse issued = token("right");
        assertThat(issued.status()).isEqualTo(201);
        String token = issued.headers().get("X-Subject-Token");
        assertThat(token).isNotBlank();
        assertThat(issued.body().get("token").get("expires_at").asText()).isEqualTo("2026-11-28T06:00:10.000000Z");
        assertThat(issued.body().get("token").get("issued_at").asText()).isEqualTo("2026-11-28T06:00:00.000000Z");

        assertThat(job("x", token).status()).as("an issued token is accepted").isEqualTo(400);
        clock.advance(Duration.ofSeconds(10));
        SimResponse expired = job("x", token);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errorCode()).isEqualTo("APIGW.0301");
    }

    @Test
    void missingUnknownRevokedTokensAndWrongPasswordsAreRefused() {
        assertThat(job("x", null).status()).isEqualTo(401);
        assertThat(job("x", "made-up").status()).isEqualTo(401);
        String token = token("right").headers().get("X-Subject-Token");
        assertThat(simulator.revokeTokens()).isEqualTo(1);
        assertThat(job("x", token).status()).isEqualTo(401);
        assertThat(token("wrong").status()).isEqualTo(401);
        assertThat(token("").status()).isEqualTo(400);
    }

    @Test
    void theGatewayThrottlesEachApiPerProjectInFixedWindows() {
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, 3, null, null));
        for (int i = 0; i < 3; i++) {
            assertThat(instance().status()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(1));
        }
        SimResponse throttled = instance();
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.errorCode()).isEqualTo("APIGW.0308");
        assertThat(throttled.body().get("error_msg").asText()).contains("policy user over ratelimit,limit:3,time:1 minute");

        assertThat(restore().status()).as("each API has its own count").isEqualTo(200);
        clock.advance(Duration.ofSeconds(56));
        assertThat(instance().status()).as("the window is not over").isEqualTo(429);
        clock.advance(Duration.ofSeconds(1));
        assertThat(instance().status()).as("a new window began").isEqualTo(200);
    }

    @Test
    void injectedErrorsAndOutages() {
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, null, Map.of(500, 1.0)));
        SimResponse failed = restore();
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.errorCode()).isEqualTo("DBS.108000");

        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, null, Map.of(504, 1.0)));
        assertThat(restore().status()).isEqualTo(504);
        simulator.update(new SimulatorSettings.Patch(null, null, null, null, null, null, null, Map.of()));
        assertThat(restore().status()).as("the 504 hid a job that did start").isEqualTo(409);

        clock.advance(Duration.ofSeconds(30));
        simulator.startOutage(Duration.ofSeconds(5));
        assertThat(restore().status()).isEqualTo(503);
        assertThat(restore().body()).as("an outage answers without a service body").isNull();
        clock.advance(Duration.ofSeconds(5));
        assertThat(restore().status()).isEqualTo(200);
    }

    @Test
    void resetForgetsEverything() {
        restore();
        simulator.reset(defaults);
        assertThat(simulator.journal()).isEmpty();
        assertThat(restore().status()).isEqualTo(200);
    }

    private SimResponse signed(String secretKey, Instant signedAt, String body) {
        String path = "/v3/" + PROJECT + "/instances/" + INSTANCE + "/backups/restore/tables";
        String date = io.gaussrestore.auth.AkSkSigner.sdkDate(signedAt);
        Map<String, String> headers = new java.util.HashMap<>(Map.of("host", "gaussdb.example.com", "x-sdk-date", date,
                "content-type", "application/json;charset=UTF-8", "x-project-id", PROJECT));
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        headers.put("authorization", io.gaussrestore.auth.AkSkSigner.authorization(new io.gaussrestore.auth.AkSkSigner.Request(
                "POST", path, Map.of(), Map.copyOf(headers), bytes), "AccessKey", secretKey, date));
        return simulator.handle(new GaussDbSimulator.Call("restore", "POST", path, PROJECT, INSTANCE, headers, Map.of(),
                bytes)).response();
    }

    @Test
    void akSkSignaturesAreVerifiedLikeTheGateway() {
        String body = body(START.minusSeconds(3600));
        assertThat(signed("SecretKey", START, body).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(30));

        SimResponse wrong = signed("WrongKey", clock.instant(), body);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("APIGW.0301");
        SimResponse stale = signed("SecretKey", clock.instant().minus(Duration.ofMinutes(16)), body);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.errorCode()).isEqualTo("APIGW.0303");
    }

    @Test
    void fiveBadSignaturesInARowLockTheKeyForFiveMinutes() {
        String body = body(START.minusSeconds(3600));
        for (int i = 0; i < 5; i++) {
            assertThat(signed("WrongKey", clock.instant(), body).status()).isEqualTo(401);
        }
        SimResponse locked = signed("SecretKey", clock.instant(), body);
        assertThat(locked.status()).isEqualTo(401);
        assertThat(locked.body().get("error_msg").asText()).contains("locked");
        clock.advance(Duration.ofMinutes(5));
        assertThat(signed("SecretKey", clock.instant(), body).status()).isEqualTo(200);
    }

    @Test
    void anAgencyTokenNeedsAValidDelegatingToken() {
        String assume = """
                {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"agency_name": "dba", "domain_name": "acme"}},
                 "scope": {"project": {"name": "cn-north-4"}}}}
                """;
        SimResponse without = simulator.handle(GaussDbSimulator.Call.of("token", "POST", "/v3/auth/tokens", "", null, null,
                Map.of(), assume)).response();
        assertThat(without.status()).isEqualTo(401);
        SimResponse with = simulator.handle(GaussDbSimulator.Call.of("token", "POST", "/v3/auth/tokens", "", null, TOKEN,
                Map.of(), assume)).response();
        assertThat(with.status()).isEqualTo(201);
        assertThat(job("x", with.headers().get("X-Subject-Token")).status()).as("the agency token works").isEqualTo(400);
    }
}
