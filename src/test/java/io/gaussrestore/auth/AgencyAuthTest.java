package io.gaussrestore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.gaussdb.GaussDbRestoreClient;
import io.gaussrestore.simulator.GaussDbSimulator;
import io.gaussrestore.simulator.JournalEntry;
import io.gaussrestore.testing.ProfileSettings;
import io.gaussrestore.testing.SimulatorBackedProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An agency assumed with the delegating party's fixed token: calls use the agency token IAM issued. */
@QuarkusTest
@TestProfile(AgencyAuthTest.AgencyProfile.class)
class AgencyAuthTest {

    @Inject
    GaussDbRestoreClient client;

    @Inject
    GaussDbSimulator simulator;

    @Inject
    Credentials credentials;

    @Test
    void callsCarryTheAgencyToken() {
        assertThat(credentials.mode()).isInstanceOf(AuthMode.AgencyOnToken.class);

        ApiResult result = client.showJob("97b026aa9cc4417888c14c84a1ad9860", "no-such-job")
                .await().atMost(Duration.ofSeconds(10));

        assertThat(result).isInstanceOfSatisfying(ApiResult.ErrorResponse.class,
                error -> assertThat(error.errorCode()).as("authenticated, the job is simply unknown").isEqualTo("DBS.200543"));
        List<JournalEntry> tokens = simulator.journal().stream().filter(e -> e.operation().equals("token")).toList();
        assertThat(tokens).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(201));
    }

    /** Agency mode on top of a fixed token. */
    public static class AgencyProfile extends SimulatorBackedProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ProfileSettings.simulatorBacked("agency-auth").untracked().iam("cn-north-4")
                    .with("restore.auth.iam-agency-name", "dba-restore")
                    .with("restore.auth.iam-agency-domain-name", "acme-prod").map();
        }
    }
}
