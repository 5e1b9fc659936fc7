package io.gaussrestore.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trust for calls to the cloud: the JVM's own CAs plus those of an optional PEM bundle; never "trust all". */
public final class TrustStores {

    private TrustStores() {}

    public static KeyStore withBundle(Path pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (X509Certificate ca : jvmDefaults()) {
                store.setCertificateEntry("jvm-" + index++, ca);
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(pem)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new IllegalStateException("GAUSSDB_CA_BUNDLE " + pem + " holds no certificate");
            }
            index = 0;
            for (Certificate certificate : extra) {
                store.setCertificateEntry("bundle-" + index++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("GAUSSDB_CA_BUNDLE " + pem + " cannot be read as PEM certificates: "
                    + e.getMessage(), e);
        }
    }

    private static X509Certificate[] jvmDefaults() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (var manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }
}
