package io.gaussrestore.simulator;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With the simulator disabled, as in production, none of its endpoints exist. */
@QuarkusTest
@TestProfile(SimulatorOffTest.Disabled.class)
class SimulatorOffTest {

    /** The test configuration with the simulator switched off. */
    public static class Disabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("restore.simulator.enabled", "false");
        }
    }

    @Test
    void everySimulatorEndpointIsAbsent() {
        given().header("X-Auth-Token", "local-dev-token").contentType("application/json").body("{}")
                .post("/v3/97b026aa9cc4417888c14c84a1ad9860/instances/61a4ea66210545909d74a05c27a7179ein07/backups/restore/tables")
                .then().statusCode(404);
        given().contentType("application/json").body("{}").post("/v3/auth/tokens").then().statusCode(404);
        given().get("/simulator/journal").then().statusCode(404);
        given().delete("/simulator").then().statusCode(404);
        io.gaussrestore.testing.Api.management().get("/q/health/live").then().statusCode(200);
    }
}
