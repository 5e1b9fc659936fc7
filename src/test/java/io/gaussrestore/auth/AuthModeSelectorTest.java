package io.gaussrestore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class AuthModeSelectorTest {

    /** Inputs from "NAME=value" pairs separated by spaces. */
    private static AuthInputs inputs(String pairs) {
        Map<String, String> set = new HashMap<>();
        if (pairs != null && !pairs.isBlank()) {
            Arrays.stream(pairs.trim().split(" ")).forEach(p -> set.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1)));
        }
        java.util.function.Function<String, Optional<String>> named = name -> Optional.ofNullable(set.get(name));
        return new AuthInputs(named.apply("GAUSSDB_AUTH_TOKEN"),
                named.apply("IAM_ENDPOINT"), named.apply("IAM_DOMAIN_NAME"), named.apply("IAM_USER_NAME"),
                named.apply("IAM_PASSWORD"), named.apply("IAM_PROJECT_NAME"),
                named.apply("IAM_AGENCY_NAME"), named.apply("IAM_AGENCY_DOMAIN_NAME"), named.apply("IAM_AGENCY_DOMAIN_ID"),
                named.apply("HUAWEICLOUD_SDK_AK"), named.apply("HUAWEICLOUD_SDK_SK"),
                named.apply("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
                "true".equals(set.get("PLAIN_HTTP_IAM")));
    }

    private static final String IAM = "IAM_ENDPOINT=https://iam.myhuaweicloud.com IAM_DOMAIN_NAME=acme IAM_USER_NAME=svc "
            + "IAM_PASSWORD=pw IAM_PROJECT_NAME=cn-north-4";

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/auth-modes/chosen.csv", delimiter = '|')
    void chooses(String name, String pairs, String mode) {
        AuthModeSelector.Selection selection = AuthModeSelector.select(inputs(pairs));
        assertThat(selection).as(name).isInstanceOfSatisfying(AuthModeSelector.Selection.Chosen.class,
                chosen -> assertThat(chosen.mode().getClass().getSimpleName()).isEqualTo(mode));
    }

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/auth-modes/refused.csv", delimiter = '|')
    void refusesWithTheMissingVariables(String name, String pairs, String expected) {
        AuthModeSelector.Selection selection = AuthModeSelector.select(inputs(pairs));
        assertThat(selection).as(name).isInstanceOfSatisfying(AuthModeSelector.Selection.Refused.class, refused -> {
            for (String part : expected.split(";")) {
                assertThat(refused.message()).contains(part);
            }
            assertThat(refused.message()).doesNotContain("pw").doesNotContain("=sk");
        });
    }

    @org.junit.jupiter.api.Test
    void modesNeverPrintTheirSecrets() {
        AuthModeSelector.Selection.Chosen chosen = (AuthModeSelector.Selection.Chosen) AuthModeSelector.select(
                inputs(IAM.replace("IAM_PASSWORD=pw", "IAM_PASSWORD=hunter2-secret")));
        assertThat(chosen.mode().toString()).doesNotContain("hunter2-secret");
        AuthModeSelector.Selection.Chosen akSk = (AuthModeSelector.Selection.Chosen) AuthModeSelector.select(
                inputs("HUAWEICLOUD_SDK_AK=ak HUAWEICLOUD_SDK_SK=sk-very-secret"));
        assertThat(akSk.mode().toString()).doesNotContain("sk-very-secret");
        assertThat(new AuthMode.FixedToken("tok-secret").toString()).doesNotContain("tok-secret");
    }
}
