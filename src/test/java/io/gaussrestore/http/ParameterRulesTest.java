package io.gaussrestore.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.ledger.LedgerState;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The HTTP API's parameters as text: what each takes, and what each says of a value it cannot take. */
class ParameterRulesTest {

    @ParameterizedTest(name = "limit={0}")
    @CsvSource(delimiter = '|', value = {
            "2147483648|must be between 1 and 500, not 2147483648",
            "0|must be between 1 and 500, not 0",
            "-1|must be between 1 and 500, not -1",
            "501|must be between 1 and 500, not 501",
            "99999999999999999999|must be a whole number from 1 to 500",
            "abc|must be a whole number from 1 to 500, not 'abc'",
            "1.5|must be a whole number from 1 to 500, not '1.5'"})
    void aLimitItCannotTakeIsNamed(String text, String problem) {
        ParameterRules.Read<Integer> read = ParameterRules.whole("limit", text, 1, 500, 50);
        assertThat(read.ok()).isFalse();
        assertThat(read.problem()).startsWith("limit ").contains(problem);
    }

    @Test
    void aLimitInRangeOrAbsentIsTaken() {
        assertThat(ParameterRules.whole("limit", null, 1, 500, 50).value()).isEqualTo(50);
        assertThat(ParameterRules.whole("limit", " ", 1, 500, 50).value()).isEqualTo(50);
        assertThat(ParameterRules.whole("limit", "1", 1, 500, 50).value()).isEqualTo(1);
        assertThat(ParameterRules.whole("limit", " 500 ", 1, 500, 50).value()).isEqualTo(500);
    }

    @Test
    void aStatusIsANameOfAnyCaseAndAnUnknownOneListsTheKnown() {
        assertThat(ParameterRules.status("queued").value()).contains(LedgerState.QUEUED);
        assertThat(ParameterRules.status(null).value()).isEmpty();
        ParameterRules.Read<Optional<LedgerState>> unknown = ParameterRules.status("DONE\u0007");
        assertThat(unknown.problem()).contains("status must be one of [RECEIVED").contains("not 'DONE?'");
    }

    @Test
    void filtersAndRequestIdsRefuseOverLongTextAndControlCharacters() {
        assertThat(ParameterRules.filter("instance_id", "a".repeat(129)).problem())
                .isEqualTo("instance_id is 129 characters long; at most 128 are taken");
        assertThat(ParameterRules.filter("instance_id", "a\nb").problem()).isEqualTo("instance_id holds a control character");
        assertThat(ParameterRules.filter("instance_id", " 61a4ea66210545909d74a05c27a7179ein07 ").value())
                .contains("61a4ea66210545909d74a05c27a7179ein07");
        assertThat(ParameterRules.requestId("a\u0001b").problem()).isEqualTo("request_id holds a control character");
        assertThat(ParameterRules.requestId("a b").problem()).contains("letters, digits").contains("not 'a b'");
        assertThat(ParameterRules.requestId("sha256:" + "0".repeat(64)).ok()).isTrue();
    }
}
