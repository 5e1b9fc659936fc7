package io.gaussrestore.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerState;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LedgerResultsTest {

    private static final Instant AT = Instant.parse("2026-11-28T06:00:00Z");

    private static LedgerEntry entry(String requestId, LedgerState state, String duplicateOf) {
        return new LedgerEntry(requestId, "sha256:k", "p", "i", state, null, "e", false, "{}", null, null, null,
                null, 0, null, null, null, null, null, duplicateOf, null, "s", null, null, AT, null, null, AT, null, null,
                0, null, null, null, true, null, null, null, null, null, null, null, null);
    }

    @ParameterizedTest
    @EnumSource(LedgerState.class)
    void aDuplicateNamesOnlyPublishedStatusesOfItsOriginal(LedgerState originalState) {
        RestoreResult result = LedgerResults.duplicate(entry("dup", LedgerState.DUPLICATE, "orig"),
                entry("orig", originalState, null));

        assertThat(result.status()).isEqualTo(ResultStatus.DUPLICATE);
        assertThat(result.duplicateOf()).isEqualTo("orig");
        if (originalState == LedgerState.RECEIVED || originalState == LedgerState.SUBMITTING) {
            assertThat(result.originalStatus()).as("not a published status").isNull();
        } else {
            assertThat(result.originalStatus()).isEqualTo(ResultStatus.valueOf(originalState.name()));
        }
    }
}
