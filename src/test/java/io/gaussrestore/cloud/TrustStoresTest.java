package io.gaussrestore.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class TrustStoresTest {

    @Test
    void aBundleAddsItsCasToTheJvmDefaults() throws Exception {
        KeyStore store = TrustStores.withBundle(Path.of("src", "test", "resources", "extra-ca.pem"));

        var subjects = Collections.list(store.aliases()).stream()
                .map(alias -> {
                    try {
                        return ((X509Certificate) store.getCertificate(alias)).getSubjectX500Principal().getName();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        assertThat(subjects).contains("CN=gaussdb-restore test CA");
        assertThat(subjects.size()).as("the JVM's own CAs stay trusted").isGreaterThan(10);
    }

    @Test
    void aFileWithoutCertificatesIsRefused() throws Exception {
        Path empty = Files.createTempFile("no-ca", ".pem");
        Files.writeString(empty, "not a certificate");
        assertThatThrownBy(() -> TrustStores.withBundle(empty)).hasMessageContaining("GAUSSDB_CA_BUNDLE");
    }
}
