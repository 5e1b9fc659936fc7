package io.gaussrestore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AkSkSignerTest {

    private static final Map<String, String> DATE_ONLY = Map.of("X-Sdk-Date", "20060102T150405Z");

    @Test
    void theOfficialGetVectorReproduces() {
        AkSkSigner.Request request = new AkSkSigner.Request("GET", "/path", Map.of("limit", List.of("1")), DATE_ONLY, new byte[0]);
        assertThat(AkSkSigner.signature(request, "SecretKey", "20060102T150405Z"))
                .isEqualTo("5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");
    }

    @Test
    void theOfficialPostVectorReproduces() {
        byte[] body = "{\"Name\":\"test\",\"Id\":1}\n".getBytes(StandardCharsets.UTF_8);
        AkSkSigner.Request request = new AkSkSigner.Request("POST", "/path", Map.of("key", List.of("value")), DATE_ONLY, body);
        assertThat(AkSkSigner.signature(request, "SecretKey", "20060102T150405Z"))
                .isEqualTo("cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59");
        assertThat(AkSkSigner.authorization(request, "AccessKey", "SecretKey", "20060102T150405Z"))
                .isEqualTo("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
                        + "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/v3/p/jobs|/v3/p/jobs/",
            "/v3/p/jobs/|/v3/p/jobs/",
            "/a b/c*d~e|/a%20b/c%2Ad~e/"})
    void theCanonicalUriEncodesSegmentsAndEndsWithASlash(String path, String canonical) {
        assertThat(AkSkSigner.canonicalUri(path)).isEqualTo(canonical);
    }

    @Test
    void theCanonicalQueryIsSortedAndEncoded() {
        assertThat(AkSkSigner.canonicalQuery(Map.of("b", List.of("2 3"), "a", List.of("x*", "w"))))
                .isEqualTo("a=w&a=x%2A&b=2%203");
        assertThat(AkSkSigner.canonicalQuery(Map.of())).isEmpty();
    }

    @Test
    void headersAreLowerCasedTrimmedAndSorted() {
        AkSkSigner.Request request = new AkSkSigner.Request("GET", "/x", Map.of(),
                Map.of("X-Sdk-Date", " 20060102T150405Z ", "Host", "gaussdb.example.com"), new byte[0]);
        assertThat(AkSkSigner.canonicalRequest(request)).startsWith("GET\n/x/\n\nhost:gaussdb.example.com\nx-sdk-date:20060102T150405Z\n\nhost;x-sdk-date\n");
        assertThat(AkSkSigner.sdkDate(Instant.parse("2006-01-02T15:04:05Z"))).isEqualTo("20060102T150405Z");
    }
}
