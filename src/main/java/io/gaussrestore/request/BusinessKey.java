package io.gaussrestore.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of a restore regardless of how it was spelled: SHA-256 over a canonical JSON array of
 * (project_id, instance_id, restore_time in ms, last_table_info, sorted (database, old_name, new_name)).
 */
public final class BusinessKey {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<List<String>> TUPLE_ORDER = Comparator
            .<List<String>, String>comparing(t -> t.get(0))
            .thenComparing(t -> t.get(1))
            .thenComparing(t -> t.get(2));

    private BusinessKey() {}

    /** The key as carried in results: {@code sha256:} followed by 64 lower-case hex digits. */
    public static String of(RestoreRequest request) {
        return "sha256:" + sha256Hex(canonicalForm(request));
    }

    /** The exact text that is hashed; stable across releases because stored keys depend on it. */
    static String canonicalForm(RestoreRequest request) {
        List<List<String>> tuples = new ArrayList<>();
        for (RestoreRequest.DatabaseTables db : request.restoreTables()) {
            for (RestoreRequest.TableRename table : db.tables()) {
                tuples.add(List.of(db.database(), table.oldName(), table.newName()));
            }
        }
        tuples.sort(TUPLE_ORDER);
        ArrayNode root = JSON.createArrayNode()
                .add("v1")
                .add(request.projectId())
                .add(request.instanceId())
                .add(request.restoreTimeMillis())
                .add(request.lastTableInfo());
        ArrayNode tables = root.addArray();
        tuples.forEach(t -> tables.addArray().add(t.get(0)).add(t.get(1)).add(t.get(2)));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /** Lower-case hex SHA-256 of a UTF-8 string. */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex SHA-256 of bytes. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
