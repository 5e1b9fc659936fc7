package io.gaussrestore.console;

import io.gaussrestore.config.RestoreConfig;
import io.gaussrestore.ledger.SessionEnds;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Console sessions and form tokens, signed with one secret (HMAC-SHA256). A session names the API key it was
 * opened with (by the key's hash, as the key file does, never the key), when it ends, and a random id; each request
 * looks the key up again, so a key taken out of the file ends its sessions at once, and signing out records the id
 * in the ledger ({@link SessionEnds}), so a copy of the cookie stops working on every replica at once. A form token is bound to its session (or,
 * before sign-in, to a random nonce kept in a cookie of its own): a form posted from another site has neither.
 */
@ApplicationScoped
public class ConsoleSessions {

    /** The cookie holding the session; limited to the console's path. */
    public static final String COOKIE = "restore-console";
    /** The cookie holding the sign-in form's nonce. */
    public static final String LOGIN_COOKIE = "restore-console-login";
    /** The form field carrying the form token. */
    public static final String FORM_TOKEN = "form_token";
    public static final String PATH = "/console";

    private static final int MIN_SECRET = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final byte[] secret;
    private final Duration length;
    private final Clock clock;
    private final SessionEnds ends;

    /** An open session: its id, the hash of the key it was opened with, and when it ends. */
    public record Session(String id, String keyHash, Instant endsAt, String cookieValue) {}

    @jakarta.inject.Inject
    ConsoleSessions(RestoreConfig config, SessionEnds ends) {
        this(config.console().sessionSecret(), config.console().sessionLength(), Clock.systemUTC(), ends);
    }

    ConsoleSessions(Optional<String> configured, Duration length, Clock clock, SessionEnds ends) {
        if (configured.isPresent() && configured.get().length() < MIN_SECRET) {
            throw new IllegalArgumentException("restore.console.session-secret (RESTORE_CONSOLE_SESSION_SECRET) needs "
                    + MIN_SECRET + " characters or more");
        }
        this.secret = configured.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
        this.length = length;
        this.clock = clock;
        this.ends = ends;
    }

    /** Opens a session for the key with this hash. */
    public Session open(String keyHash) {
        Instant endsAt = clock.instant().plus(length);
        String id = nonce();
        String body = B64.encodeToString(keyHash.getBytes(StandardCharsets.UTF_8)) + "." + endsAt.getEpochSecond()
                + "." + id;
        return new Session(id, keyHash, endsAt, body + "." + sign("session|" + body));
    }

    /** Ends a session on every replica: its cookie, even a copy of it, opens nothing from now on. */
    public void end(Session session) {
        ends.end(session.id(), clock.instant(), session.endsAt());
    }

    /** Whether the session was ended before its time; a look-up in the ledger, so not on an event loop. */
    public boolean ended(Session session) {
        return ends.ended(session.id());
    }

    /**
     * The session a cookie value holds, when it is ours, intact and not over by its time (whether it was ended
     * earlier is {@link #ended}).
     */
    public Optional<Session> read(String cookieValue) {
        if (cookieValue == null || cookieValue.length() > 512) {
            return Optional.empty();
        }
        String[] parts = cookieValue.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        String body = parts[0] + "." + parts[1] + "." + parts[2];
        if (!same(sign("session|" + body), parts[3])) {
            return Optional.empty();
        }
        try {
            Instant endsAt = Instant.ofEpochSecond(Long.parseLong(parts[1]));
            if (!clock.instant().isBefore(endsAt)) {
                return Optional.empty();
            }
            return Optional.of(new Session(parts[2], new String(B64D.decode(parts[0]), StandardCharsets.UTF_8), endsAt,
                    cookieValue));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The form token of a session (or of a sign-in nonce). */
    public String formToken(String boundTo) {
        return sign("form|" + boundTo);
    }

    /** Whether a posted form token belongs to this session (or sign-in nonce). */
    public boolean validFormToken(String boundTo, String presented) {
        return boundTo != null && presented != null && same(formToken(boundTo), presented);
    }

    /** A fresh random nonce for the sign-in form. */
    public static String nonce() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return B64.encodeToString(random);
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    private static boolean same(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
