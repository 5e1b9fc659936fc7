package io.gaussrestore.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys callers may present, held only as SHA-256 hashes. The file has one key per line:
 * {@code sha256:<64 hex digits> <caller> <role>[,<role>...]}; blank lines and lines starting with # are ignored.
 * A key is a random secret of at least 32 characters (e.g. {@code openssl rand -hex 32}), so a plain hash is
 * enough: there is nothing to guess from it.
 */
public final class ApiKeys {

    /** A key needs this many characters at least; shorter ones are refused before hashing. */
    public static final int MIN_KEY_LENGTH = 32;
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern CALLER = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");
    private static final Set<String> ROLES = Set.of(Roles.REQUESTER, Roles.VIEWER);

    /** Whom a key names and what it may do. */
    public record Caller(String name, Set<String> roles) {
        public Caller {
            roles = Set.copyOf(roles);
        }
    }

    public static final ApiKeys NONE = new ApiKeys(Map.of());

    private final Map<String, Caller> byHash;

    private ApiKeys(Map<String, Caller> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /** The caller a presented key names, if it is one of ours. */
    public Optional<Caller> caller(String presentedKey) {
        if (presentedKey == null || presentedKey.length() < MIN_KEY_LENGTH || presentedKey.length() > 512) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(hash(presentedKey)));
    }

    /** The caller of the key with this hash (as the key file writes it), if it is still one of ours. */
    public Optional<Caller> callerByHash(String keyHash) {
        return keyHash == null ? Optional.empty() : Optional.ofNullable(byHash.get(keyHash));
    }

    public int size() {
        return byHash.size();
    }

    /** The line a key file holds for a key (what an operator writes). */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Reads a key file; any malformed line refuses the whole file (a half-read file could lock a caller out). */
    static WatchedFile.Parsed<ApiKeys> parse(String text) {
        Map<String, Caller> keys = new HashMap<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = "line " + (i + 1) + ": ";
            if (parts.length != 3) {
                return WatchedFile.Parsed.bad(where + "expected 'sha256:<hex> <caller> <role>[,<role>]', found "
                        + parts.length + " field(s)");
            }
            if (!HASH.matcher(parts[0]).matches()) {
                return WatchedFile.Parsed.bad(where + "the key must be given as sha256: and 64 lower-case hex digits "
                        + "(the file never holds a plain key)");
            }
            if (!CALLER.matcher(parts[1]).matches()) {
                return WatchedFile.Parsed.bad(where + "the caller name must be 1 to 128 letters, digits or ._@:-");
            }
            Set<String> roles = new LinkedHashSet<>(Arrays.asList(parts[2].split(",")));
            if (!ROLES.containsAll(roles)) {
                return WatchedFile.Parsed.bad(where + "roles must be among " + ROLES);
            }
            if (keys.put(parts[0], new Caller(parts[1], roles)) != null) {
                return WatchedFile.Parsed.bad(where + "the same key appears twice");
            }
        }
        return WatchedFile.Parsed.good(new ApiKeys(keys));
    }
}
