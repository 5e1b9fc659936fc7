package io.gaussrestore.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gaussrestore.request.RestoreRequest.Audit;
import io.gaussrestore.request.RestoreRequest.DatabaseTables;
import io.gaussrestore.request.RestoreRequest.TableRename;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a request event against every rule of the contract and reports all violations at once.
 * Pure: the only input besides the JSON is the clock it is given.
 */
public class RestoreRequestValidator {

    private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9]{32}");
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9]{32}in07");
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_$-]{1,64}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
    private static final int MAX_DATABASE_NAME = 64;
    private static final int MAX_AUDIT_LENGTH = 256;

    private final RequestRules rules;
    private final Clock clock;

    public RestoreRequestValidator(RequestRules rules, Clock clock) {
        this.rules = rules;
        this.clock = clock;
    }

    /** Validates one decoded request object as of now. */
    public RequestCheck check(ObjectNode json) {
        return checkAt(json, clock.instant());
    }

    /**
     * Validates as of a given moment: a request accepted when it arrived stays valid when its record comes again
     * later, since its time rules are judged at its arrival.
     */
    public RequestCheck checkAt(ObjectNode json, Instant now) {
        Found violations = new Found();
        Identity identity = identity(json, violations);
        Long restoreTime = restoreTime(json.get("restore_time"), now, violations);
        Boolean lastTableInfo = lastTableInfo(json.get("last_table_info"), violations);
        boolean dryRun = dryRun(json.get("dry_run"), violations);
        List<DatabaseTables> tables = restoreTables(json.get("restore_tables"), violations);
        Audit audit = new Audit(
                auditText(json, "requested_by", violations),
                auditText(json, "reason", violations),
                auditText(json, "ticket", violations));

        if (!violations.isEmpty()) {
            return identity.invalid(violations, audit);
        }
        return new RequestCheck.Valid(new RestoreRequest(identity.requestId(), identity.projectId(),
                identity.instanceId(), restoreTime, lastTableInfo, tables, audit, dryRun));
    }

    /**
     * A record over the decoder's bounds: invalid for that alone, named and described by the top-level fields the
     * decoder could read without keeping the rest.
     */
    public RequestCheck.Invalid tooComplex(ObjectNode identityFields, String why) {
        Found violations = new Found();
        violations.add(new Violation("$", why + "; nothing of it was read but request_id, project_id, instance_id, "
                + "requested_by, reason and ticket."));
        Identity identity = identity(identityFields, violations);
        Audit audit = new Audit(
                auditText(identityFields, "requested_by", violations),
                auditText(identityFields, "reason", violations),
                auditText(identityFields, "ticket", violations));
        return identity.invalid(violations, audit);
    }

    /** The fields that name a request; the request_id only when it is well-formed. */
    private record Identity(String requestId, String projectId, String instanceId) {
        RequestCheck.Invalid invalid(Found violations, Audit audit) {
            return new RequestCheck.Invalid(violations.listed(), violations.total(), requestId, projectId,
                    instanceId, audit);
        }
    }

    private static Identity identity(JsonNode json, Found violations) {
        String requestId = optionalText(json, "request_id", violations);
        if (requestId != null && !RequestIds.wellFormed(requestId)) {
            violations.add(new Violation("$.request_id",
                    "request_id must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'."));
            requestId = null;
        }
        String projectId = requiredText(json, "project_id", violations);
        if (projectId != null && !PROJECT_ID.matcher(projectId).matches()) {
            violations.add(new Violation("$.project_id", "project_id must be exactly 32 letters and digits."));
        }
        String instanceId = requiredText(json, "instance_id", violations);
        if (instanceId != null && !INSTANCE_ID.matcher(instanceId).matches()) {
            violations.add(new Violation("$.instance_id",
                    "instance_id must be 36 letters and digits ending in 'in07'."));
        }
        return new Identity(requestId, projectId, instanceId);
    }

    /**
     * The violations found, of which at most {@link Bounded#MAX_VIOLATIONS} are kept: however many elements break
     * the rules, a verdict holds a bounded list and a count. When there are more, the last entry kept says how many
     * are not listed.
     */
    private static final class Found {
        private final List<Violation> kept = new ArrayList<>();
        private int total;

        void add(Violation violation) {
            total++;
            if (kept.size() < Bounded.MAX_VIOLATIONS) {
                kept.add(violation);
            }
        }

        boolean isEmpty() {
            return total == 0;
        }

        int total() {
            return total;
        }

        List<Violation> listed() {
            if (total <= Bounded.MAX_VIOLATIONS) {
                return kept;
            }
            List<Violation> listed = new ArrayList<>(kept.subList(0, Bounded.MAX_VIOLATIONS - 1));
            listed.add(new Violation("$", (total - listed.size()) + " more violations are not listed; "
                    + total + " in all."));
            return listed;
        }
    }

    private Long restoreTime(JsonNode node, Instant now, Found violations) {
        String path = "$.restore_time";
        if (isAbsent(node)) {
            violations.add(new Violation(path, "restore_time is required."));
            return null;
        }
        Long millis = restoreTimeMillis(node);
        if (millis == null) {
            violations.add(new Violation(path, "restore_time must be epoch milliseconds (a number or a string of digits) "
                    + "or an ISO-8601 instant such as 2023-08-01T11:55:40Z."));
            return null;
        }
        Instant time = Instant.ofEpochMilli(millis);
        if (time.isAfter(now.plus(rules.clockSkew()))) {
            violations.add(new Violation(path, "restore_time " + time + " lies in the future."));
            return null;
        }
        if (time.isBefore(now.minus(rules.retention()))) {
            violations.add(new Violation(path, "restore_time " + time + " is older than the retention of "
                    + rules.retention().toDays() + " days; no backup can cover it."));
            return null;
        }
        return millis;
    }

    private static Long restoreTimeMillis(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() && node.longValue() >= 0 ? node.longValue() : null;
        }
        if (!node.isTextual()) {
            return null;
        }
        String text = node.textValue().trim();
        if (DIGITS.matcher(text).matches()) {
            BigInteger value = new BigInteger(text);
            return value.bitLength() < 64 ? value.longValue() : null;
        }
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    private static Boolean lastTableInfo(JsonNode node, Found violations) {
        if (isAbsent(node)) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && ("true".equals(node.textValue()) || "false".equals(node.textValue()))) {
            return Boolean.parseBoolean(node.textValue());
        }
        violations.add(new Violation("$.last_table_info", "last_table_info must be true or false (or the strings \"true\" or \"false\")."));
        return false;
    }

    private static boolean dryRun(JsonNode node, Found violations) {
        if (isAbsent(node)) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        violations.add(new Violation("$.dry_run", "dry_run must be true or false."));
        return false;
    }

    private List<DatabaseTables> restoreTables(JsonNode node, Found violations) {
        String path = "$.restore_tables";
        if (isAbsent(node)) {
            violations.add(new Violation(path, "restore_tables is required."));
            return List.of();
        }
        if (!node.isArray()) {
            violations.add(new Violation(path, "restore_tables must be a list of {database, tables}."));
            return List.of();
        }
        if (node.isEmpty()) {
            violations.add(new Violation(path, "restore_tables must name at least one database."));
            return List.of();
        }
        List<DatabaseTables> result = new ArrayList<>();
        Set<String> databases = new HashSet<>();
        int tableCount = 0;
        for (int i = 0; i < node.size(); i++) {
            String dbPath = path + "[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                violations.add(new Violation(dbPath, "each restore_tables entry must be an object {database, tables}."));
                continue;
            }
            String database = requiredText(entry, dbPath, "database", violations);
            if (database != null) {
                int length = database.codePointCount(0, database.length());
                if (length < 1 || length > MAX_DATABASE_NAME) {
                    violations.add(new Violation(dbPath + ".database", "database must be 1 to 64 characters."));
                } else if (!databases.add(database)) {
                    violations.add(new Violation(dbPath + ".database",
                            "database '" + database + "' is listed more than once; list its tables under one entry."));
                }
            }
            List<TableRename> tables = tables(entry.get("tables"), dbPath + ".tables", violations);
            tableCount += tables.size();
            result.add(new DatabaseTables(database, tables));
        }
        if (tableCount > rules.maxTables()) {
            violations.add(new Violation(path, "the request names " + tableCount + " tables; at most "
                    + rules.maxTables() + " are allowed (restore the whole instance instead)."));
        }
        return result;
    }

    private static List<TableRename> tables(JsonNode node, String path, Found violations) {
        if (isAbsent(node)) {
            violations.add(new Violation(path, "tables is required."));
            return List.of();
        }
        if (!node.isArray()) {
            violations.add(new Violation(path, "tables must be a list of {old_name, new_name}."));
            return List.of();
        }
        if (node.isEmpty()) {
            violations.add(new Violation(path, "tables must name at least one table."));
            return List.of();
        }
        List<TableRename> result = new ArrayList<>();
        Set<String> oldNames = new HashSet<>();
        Set<String> newNames = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String tablePath = path + "[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                violations.add(new Violation(tablePath, "each table must be an object {old_name, new_name}."));
                continue;
            }
            String oldName = tableName(entry, tablePath, "old_name", violations);
            String newName = tableName(entry, tablePath, "new_name", violations);
            if (oldName != null && !oldNames.add(oldName)) {
                violations.add(new Violation(tablePath + ".old_name",
                        "old_name '" + oldName + "' appears more than once in this database."));
            }
            if (newName != null && !newNames.add(newName)) {
                violations.add(new Violation(tablePath + ".new_name",
                        "new_name '" + newName + "' appears more than once in this database."));
            }
            if (oldName != null && oldName.equals(newName)) {
                violations.add(new Violation(tablePath + ".new_name",
                        "new_name must differ from old_name: a restore never overwrites the existing table."));
            }
            result.add(new TableRename(oldName, newName));
        }
        return result;
    }

    private static String tableName(JsonNode entry, String path, String field, Found violations) {
        String name = requiredText(entry, path, field, violations);
        if (name != null && !TABLE_NAME.matcher(name).matches()) {
            violations.add(new Violation(path + "." + field, field
                    + " must be 1 to 64 characters of ASCII letters, digits, '_', '-' or '$'."));
            return null;
        }
        return name;
    }

    private static String requiredText(JsonNode json, String field, Found violations) {
        return requiredText(json, "$", field, violations);
    }

    private static String requiredText(JsonNode json, String parent, String field, Found violations) {
        JsonNode node = json.get(field);
        String path = parent + "." + field;
        if (isAbsent(node)) {
            violations.add(new Violation(path, field + " is required."));
            return null;
        }
        if (!node.isTextual()) {
            violations.add(new Violation(path, field + " must be a string."));
            return null;
        }
        return node.textValue();
    }

    private static String optionalText(JsonNode json, String field, Found violations) {
        JsonNode node = json.get(field);
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            violations.add(new Violation("$." + field, field + " must be a string."));
            return null;
        }
        return node.textValue();
    }

    private static String auditText(JsonNode json, String field, Found violations) {
        String text = optionalText(json, field, violations);
        if (text != null && text.codePointCount(0, text.length()) > MAX_AUDIT_LENGTH) {
            violations.add(new Violation("$." + field, field + " must be at most 256 characters."));
            return null;
        }
        if (text != null && text.chars().anyMatch(Character::isISOControl)) {
            violations.add(new Violation("$." + field, field + " must not contain control characters."));
            return null;
        }
        return text;
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
