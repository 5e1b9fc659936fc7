package io.gaussrestore.gaussdb;

import java.util.List;
import java.util.Objects;

/** Removes configured secrets from any text that leaves the client (error messages echo what they like). */
public final class SecretRedactor {

    private static final String MASK = "***";
    private static final int SHORTEST_SECRET = 4;

    private final List<String> secrets;

    public SecretRedactor(List<String> secrets) {
        this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> s.length() >= SHORTEST_SECRET).toList();
    }

    /** The text with every configured secret, and the given extra ones (such as the token of a call), masked. */
    public String redact(String text, String... extra) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        for (String secret : extra) {
            if (secret != null && secret.length() >= SHORTEST_SECRET) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
