package io.gaussrestore.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RequestRules;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.LedgerResults;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The decision functions alone (decoding, validation, the request id) over 10,000 generated records, or
 * {@code -Dfuzz.cases} with {@code -Dfuzz.seed}: each record is either unreadable with a reason, invalid with
 * every violation named by field, or valid; nothing throws. The same cases go through the real broker in
 * {@link PipelineFuzzTest}.
 */
class RequestFuzzTest {

    static final long SEED = Long.getLong("fuzz.seed", 20261129L);
    private static final int MAX_RECORD_BYTES = 65536;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyGeneratedRecordIsDecidedWithAReasonAndNothingThrows() throws Exception {
        int cases = Integer.getInteger("fuzz.cases", 10_000);
        RecordDecoder decoder = new RecordDecoder(MAX_RECORD_BYTES);
        RestoreRequestValidator validator = new RestoreRequestValidator(RequestRules.DEFAULTS,
                Clock.fixed(Instant.parse("2023-08-02T00:00:00Z"), ZoneOffset.UTC));
        FuzzCases generator = new FuzzCases(SEED, "unit", MAX_RECORD_BYTES);
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> kinds = new TreeMap<>();

        for (int i = 0; i < cases; i++) {
            FuzzCases.Case fuzz = generator.next(i);
            kinds.merge(fuzz.kind(), 1, Integer::sum);
            String ceId = fuzz.headers().containsKey("ce_id")
                    ? new String(fuzz.headers().get("ce_id"), StandardCharsets.UTF_8) : null;
            String outcome = decide(fuzz, ceId, decoder, validator);
            outcomes.merge(outcome, 1, Integer::sum);
        }

        System.out.printf("request fuzzing, seed %d: %d cases by kind %s; outcomes %s%n", SEED, cases, kinds, outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(cases);
        assertThat(outcomes).containsKeys("valid", "invalid");
        assertThat(kinds).hasSize(7);
    }

    private static String decide(FuzzCases.Case fuzz, String ceId, RecordDecoder decoder,
            RestoreRequestValidator validator) throws Exception {
        RecordDecoder.Decoded decoded = decoder.decode(fuzz.value());
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            assertThat(unreadable.reason()).as(fuzz.describe()).isNotBlank();
            return "unreadable: " + unreadable.reason();
        }
        RequestCheck check = validator.check(((RecordDecoder.Decoded.Json) decoded).object());
        if (check instanceof RequestCheck.Valid valid) {
            String id = RequestIds.forValid(valid.request(), ceId, BusinessKey.of(valid.request()));
            assertThat(RequestIds.wellFormed(id) || id.startsWith("sha256:")).as(fuzz.describe()).isTrue();
            return "valid";
        }
        RequestCheck.Invalid invalid = (RequestCheck.Invalid) check;
        assertThat(invalid.violations()).as(fuzz.describe()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.field()).startsWith("$");
            assertThat(v.message()).isNotBlank().hasSizeLessThan(400);
        });
        String id = RequestIds.forInvalid(invalid.requestId(), ceId, fuzz.value());
        assertThat(RequestIds.wellFormed(id) || id.startsWith("sha256:")).as(fuzz.describe()).isTrue();
        // The REJECTED result lists the violations as JSON that reads back.
        assertThat(JSON.readTree(LedgerResults.violationsJson(invalid.violations())).isArray()).isTrue();
        return "invalid";
    }
}
