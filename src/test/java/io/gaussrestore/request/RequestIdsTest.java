package io.gaussrestore.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    private static RestoreRequest request(String requestId) {
        return new RestoreRequest(requestId, "p".repeat(32), "i".repeat(32) + "in07", 1L, false,
                List.of(new RestoreRequest.DatabaseTables("db", List.of(new RestoreRequest.TableRename("a", "b")))),
                RestoreRequest.Audit.NONE);
    }

    @Test
    void validRequestPrefersItsOwnIdThenCeIdThenBusinessKey() {
        assertThat(RequestIds.forValid(request("mine"), "ce-1", "sha256:k")).isEqualTo("mine");
        assertThat(RequestIds.forValid(request(null), "ce-1", "sha256:k")).isEqualTo("ce-1");
        assertThat(RequestIds.forValid(request(null), null, "sha256:k")).isEqualTo("sha256:k");
        assertThat(RequestIds.forValid(request(null), " ", "sha256:k")).isEqualTo("sha256:k");
    }

    @Test
    void invalidRequestFallsBackToAHashOfItsBytes() {
        byte[] value = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(RequestIds.forInvalid("mine", "ce-1", value)).isEqualTo("mine");
        assertThat(RequestIds.forInvalid(null, "ce-1", value)).isEqualTo("ce-1");
        assertThat(RequestIds.forInvalid(null, null, value))
                .isEqualTo("sha256:" + BusinessKey.sha256Hex(value))
                .isEqualTo(RequestIds.forInvalid(null, null, value.clone()));
    }
}
