package io.gaussrestore.fuzz;

import static io.gaussrestore.testing.Requests.PROJECT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible request records for fuzzing: a valid request mutated at the JSON level (values of the
 * wrong type, huge and negative numbers, exponents, unicode and control characters, deep nesting, duplicate
 * keys), at the byte level (invalid UTF-8, NUL bytes, truncation), whole records that are not requests, size
 * boundaries, and mutated {@code ce_id} headers and record keys. The same seed gives the same cases.
 */
public final class FuzzCases {

    /** One record to send: key and header values as raw bytes, since they are fuzzed too. */
    public record Case(int index, String kind, byte[] key, byte[] value, Map<String, byte[]> headers,
            String instanceId) {

        /** The record's value as text, for messages (lossy for invalid UTF-8). */
        public String describe() {
            String text = value == null ? "<null>" : new String(value, StandardCharsets.UTF_8);
            return "#" + index + " " + kind + ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] FIELDS = {"request_id", "project_id", "instance_id", "restore_time",
            "restore_tables", "last_table_info", "requested_by", "reason", "ticket", "dry_run", "unknown_field"};
    private static final byte[] SPECIAL_BYTES = {0x00, (byte) 0xC3, (byte) 0xFF, (byte) 0xC0, (byte) 0x80,
            (byte) 0xED, '"', '\\', '{', '}', '[', ']', ',', ':', '\n', 0x1B, 0x7F};
    private static final String[] SPECIAL_STRINGS = {"", " ", "\u0000", "\u202Eevil", "\uD83D\uDE00", "\uFFFF",
            "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\t\r\n", "null", "NaN", "-0", "1e400",
            "\u00e9\u00e8\u0301", "x".repeat(300)};

    private final SplittableRandom random;
    private final String run;
    private final int maxRecordBytes;

    /**
     * @param run a prefix that makes ids and instances unique to one run
     * @param maxRecordBytes the service's record size limit, for the boundary cases
     */
    public FuzzCases(long seed, String run, int maxRecordBytes) {
        this.random = new SplittableRandom(seed);
        this.run = run;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The next case; its {@code ce_id} header is unique to it unless the header itself is what is fuzzed. */
    public Case next(int index) {
        String instanceId = "%032x".formatted(new BigInteger(1, (run + "-" + index).getBytes(StandardCharsets.UTF_8))
                .mod(BigInteger.ONE.shiftLeft(128))) + "in07";
        ObjectNode base = validRequest(instanceId, index);
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put("ce_id", utf8("fuzz-" + run + "-" + index));
        byte[] key = utf8(instanceId);
        int pick = random.nextInt(100);
        String kind;
        byte[] value;
        if (pick < 35) {
            kind = "field";
            mutateField(base);
            value = bytes(base);
        } else if (pick < 55) {
            kind = "bytes";
            value = mutateBytes(bytes(base));
        } else if (pick < 62) {
            kind = "duplicate-key";
            String field = FIELDS[random.nextInt(FIELDS.length)];
            String text = new String(bytes(base), StandardCharsets.UTF_8);
            value = utf8("{\"" + field + "\": " + randomValue(2).toString() + ", " + text.substring(1));
        } else if (pick < 72) {
            kind = "not-a-request";
            value = utf8(random.nextBoolean() ? randomValue(4).toString() : deepNesting());
        } else if (pick < 78) {
            kind = "size";
            value = sized(base);
        } else if (pick < 88) {
            kind = "numbers";
            base.set(random.nextInt(4) == 0 ? "request_id" : "restore_time", strangeNumber());
            value = bytes(base);
        } else {
            kind = "headers";
            value = bytes(base);
            mutateHeaders(headers);
            key = random.nextInt(3) == 0 ? null : randomBytes(random.nextInt(0, 300));
        }
        return new Case(index, kind, key, value, headers, instanceId);
    }

    /** The given number of cases, from index 0. */
    public List<Case> take(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(this::next).toList();
    }

    private ObjectNode validRequest(String instanceId, int index) {
        ObjectNode request = NODES.objectNode();
        if (random.nextBoolean()) {
            request.put("request_id", "fuzz-" + run + "-" + index);
        }
        request.put("project_id", PROJECT);
        request.put("instance_id", instanceId);
        request.put("restore_time", 1690890940000L - random.nextInt(1_000_000));
        ArrayNode tables = request.putArray("restore_tables");
        ObjectNode database = tables.addObject().put("database", "shop");
        database.putArray("tables").addObject().put("old_name", "orders").put("new_name", "orders_" + index);
        return request;
    }

    private void mutateField(ObjectNode request) {
        String field = FIELDS[random.nextInt(FIELDS.length)];
        switch (random.nextInt(4)) {
            case 0 -> request.remove(field);
            case 1 -> request.set(field, randomValue(3));
            case 2 -> {
                // Inside the table list: a database or a table entry of the wrong shape.
                ObjectNode database = (ObjectNode) request.get("restore_tables").get(0);
                String inner = random.nextBoolean() ? "database" : "tables";
                if (random.nextBoolean()) {
                    database.set(inner, randomValue(3));
                } else {
                    ((ObjectNode) database.get("tables").get(0)).set(random.nextBoolean() ? "old_name" : "new_name",
                            randomValue(2));
                }
            }
            default -> request.put(field, SPECIAL_STRINGS[random.nextInt(SPECIAL_STRINGS.length)]);
        }
    }

    private JsonNode randomValue(int depth) {
        int pick = random.nextInt(depth <= 0 ? 6 : 9);
        return switch (pick) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> strangeNumber();
            case 3 -> NODES.textNode(SPECIAL_STRINGS[random.nextInt(SPECIAL_STRINGS.length)]);
            case 4 -> NODES.textNode(randomText(random.nextInt(0, 80)));
            case 5 -> NODES.numberNode(random.nextInt());
            case 6 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(depth - 1));
                }
                yield array;
            }
            case 7 -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(random.nextBoolean() ? FIELDS[random.nextInt(FIELDS.length)] : randomText(5),
                            randomValue(depth - 1));
                }
                yield object;
            }
            default -> NODES.textNode("x".repeat(random.nextInt(1, 5000)));
        };
    }

    private JsonNode strangeNumber() {
        return switch (random.nextInt(10)) {
            case 0 -> NODES.numberNode(new BigInteger("9".repeat(random.nextInt(19, 400))));
            case 1 -> NODES.numberNode(-random.nextLong(Long.MAX_VALUE));
            case 2 -> NODES.numberNode(new BigDecimal("1E+" + random.nextInt(10, 400)));
            case 3 -> NODES.numberNode(new BigDecimal("-1E-" + random.nextInt(1, 400)));
            case 4 -> NODES.numberNode(1.5e12 + random.nextDouble());
            case 5 -> NODES.numberNode(Long.MIN_VALUE);
            case 6 -> NODES.numberNode(0);
            case 7 -> NODES.textNode(Long.toString(random.nextLong()));
            case 8 -> NODES.textNode("2023-13-45T99:99:99Z");
            default -> NODES.numberNode(Double.MAX_VALUE);
        };
    }

    private byte[] mutateBytes(byte[] value) {
        byte[] out = value;
        for (int m = random.nextInt(1, 5); m > 0 && out.length > 0; m--) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(5)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)];
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                case 2 -> out = Arrays.copyOf(out, at);
                case 3 -> {
                    int end = Math.min(out.length, at + random.nextInt(1, 20));
                    byte[] shorter = new byte[out.length - (end - at)];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, end, shorter, at, out.length - end);
                    out = shorter;
                }
                default -> {
                    int end = Math.min(out.length, at + random.nextInt(1, 40));
                    ByteArrayOutputStream copy = new ByteArrayOutputStream();
                    copy.write(out, 0, end);
                    copy.write(out, at, out.length - at);
                    out = copy.toByteArray();
                }
            }
        }
        return out;
    }

    private String deepNesting() {
        int depth = random.nextInt(100, Math.max(101, maxRecordBytes / 2));
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return open.repeat(depth) + (random.nextBoolean() ? close.repeat(depth) : "");
    }

    private byte[] sized(ObjectNode base) {
        return switch (random.nextInt(6)) {
            case 0 -> new byte[0];
            case 1 -> utf8("   \n\t ");
            case 2 -> padded(base, maxRecordBytes);
            case 3 -> padded(base, maxRecordBytes + 1);
            case 4 -> padded(base, 1024 * 1024);
            default -> new byte[random.nextInt(1, 2000)];
        };
    }

    /** The request with a reason long enough that the record is exactly {@code size} bytes. */
    private static byte[] padded(ObjectNode base, int size) {
        base.put("reason", "");
        int without = bytes(base).length;
        base.put("reason", "r".repeat(Math.max(0, size - without)));
        return bytes(base);
    }

    private void mutateHeaders(Map<String, byte[]> headers) {
        switch (random.nextInt(6)) {
            case 0 -> headers.remove("ce_id");
            case 1 -> headers.put("ce_id", new byte[0]);
            case 2 -> headers.put("ce_id", randomBytes(random.nextInt(1, 64)));
            case 3 -> headers.put("ce_id", utf8("x".repeat(random.nextInt(129, 20_000))));
            case 4 -> headers.put("ce_id", utf8(SPECIAL_STRINGS[random.nextInt(SPECIAL_STRINGS.length)] + run));
            default -> headers.put("ce_type", randomBytes(random.nextInt(0, 100)));
        }
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                text.append((char) random.nextInt(0x20, 0x7F));
            } else if (kind < 8) {
                text.append((char) random.nextInt(0, 0x20));
            } else {
                int codePoint = random.nextInt(0xA0, 0x2FFFF);
                text.appendCodePoint(codePoint >= 0xD800 && codePoint <= 0xDFFF ? codePoint + 0x800 : codePoint);
            }
        }
        return text.toString();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
