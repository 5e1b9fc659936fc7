package io.gaussrestore.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The simulator's own settings: the defaults, and a value it cannot take named with what it takes. */
class SimulatorOptionsTest {

    private static SimulatorOptions with(Map<String, String> settings) {
        return SimulatorOptions.from(name -> Optional.ofNullable(settings.get(name)));
    }

    @Test
    void absentSettingsTakeTheirDefaults() {
        SimulatorOptions options = with(Map.of());
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(8090);
        assertThat(options.acceptedTokens()).containsExactly("local-dev-token");
        assertThat(options.accessKeys()).isEmpty();
        assertThat(options.settings().jobDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.settings().jobFailureRate()).isZero();
        assertThat(options.settings().errorRates()).isEmpty();
    }

    @Test
    void settingsAreRead() {
        SimulatorOptions options = with(Map.of("port", "0", "job-duration", "PT2S", "job-failure-rate", "0.25",
                "access-keys", "ak1:sk1, ak2:sk2", "error-rates", "500=0.1"));
        assertThat(options.port()).isZero();
        assertThat(options.settings().jobDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.settings().jobFailureRate()).isEqualTo(0.25);
        assertThat(options.accessKeys()).containsEntry("ak1", "sk1").containsEntry("ak2", "sk2");
        assertThat(options.settings().errorRates()).containsEntry(500, 0.1);
    }

    @Test
    void aValueItCannotTakeIsNamedWithWhatItTakes() {
        assertThatThrownBy(() -> with(Map.of("job-duration", "-PT1S"))).hasMessage(
                "simulator setting job-duration is '-PT1S', not an ISO-8601 duration of zero or more such as PT30S");
        assertThatThrownBy(() -> with(Map.of("job-duration", "soon"))).hasMessageContaining("job-duration is 'soon'");
        assertThatThrownBy(() -> with(Map.of("port", "-1")))
                .hasMessage("simulator setting port is '-1', not a whole number of zero or more");
        assertThatThrownBy(() -> with(Map.of("job-failure-rate", "1.5")))
                .hasMessage("simulator setting job-failure-rate is '1.5', not a share from 0 to 1");
        assertThatThrownBy(() -> with(Map.of("job-failure-rate", "NaN"))).hasMessageContaining("not a share");
        assertThatThrownBy(() -> with(Map.of("access-keys", "no-secret")))
                .hasMessageContaining("access-keys takes AK:SK pairs");
    }
}
