package io.gaussrestore.testing;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/** Calls to the service as its callers make them: with a credential on the public port, or on the management port. */
public final class Api {

    /** Both roles (src/test/resources/access/api-keys names it test-bot). */
    public static final String BOT_KEY = "both-roles-key-for-tests-0123456789abcd";
    /** restore-requester only. */
    public static final String REQUESTER_KEY = "requester-key-for-tests-0123456789abcdef";
    /** restore-viewer only. */
    public static final String VIEWER_KEY = "viewer-key-for-tests-0123456789abcdef0";

    private Api() {}

    /** A caller holding both roles. */
    public static RequestSpecification asBot() {
        return given().header("X-API-Key", BOT_KEY);
    }

    /** Health and metrics, on the management interface. */
    public static RequestSpecification management() {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
        return given().port(port);
    }
}
