package io.gaussrestore.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gaussrestore.request.RestoreRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What may be restored, per project (the policy file, YAML):
 *
 * <pre>
 * projects:
 *   97b026aa9cc4417888c14c84a1ad9860:
 *     instances: ["61a4ea66210545909d74a05c27a7179ein07", "0a*in07"]   # ids, or patterns with * and ?
 *     max_tables: 50                                                  # tables per request
 *     max_restores_per_instance_per_hour: 3                           # accepted requests per instance
 *     callers: [incident-bot]                                         # HTTP callers allowed by name...
 *     roles: [dba]                                                    # ...or by a role they hold
 * </pre>
 *
 * A project that is not listed may not be restored. {@code callers} and {@code roles} apply to HTTP callers only
 * (the Kafka door is guarded by the topic's ACLs); when neither is given any restore-requester may ask.
 * The decisions are pure functions of the request, the caller and (for the hourly limit) a count.
 */
public record RestorePolicy(Map<String, ProjectRule> projects, String origin) {

    public static final String POLICY_DENIED = "POLICY_DENIED";

    /** No policy file: everything the cloud credentials reach may be restored (the service's behaviour without one). */
    public static final RestorePolicy OPEN = new RestorePolicy(null, "no policy file");

    /** A policy file that could not be read at start-up: nothing may be restored until it is fixed. */
    public static RestorePolicy closed(String why) {
        return new RestorePolicy(Map.of(), why);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PROJECT_KEYS = Set.of("instances", "max_tables",
            "max_restores_per_instance_per_hour", "callers", "roles");

    /** The rules of one project. */
    public record ProjectRule(List<String> instances, List<Pattern> instancePatterns, Integer maxTables,
            Integer maxRestoresPerInstancePerHour, Set<String> callers, Set<String> roles) {

        boolean allowsInstance(String instanceId) {
            return instancePatterns.stream().anyMatch(p -> p.matcher(instanceId).matches());
        }
    }

    /** A broken rule: which one, and a sentence for the result and the log that names it. */
    public record Denial(String rule, String message) {
        static Denial of(String rule, String why) {
            return new Denial(rule, "rule " + rule + ": " + why);
        }
    }

    /** Who asks through the HTTP door. */
    public record Caller(String name, Set<String> roles) {}

    public boolean open() {
        return projects == null;
    }

    /**
     * The rules that depend on the request and the caller alone; {@code caller} is empty for the Kafka door.
     */
    public Optional<Denial> check(RestoreRequest request, Optional<Caller> caller) {
        if (open()) {
            return Optional.empty();
        }
        String project = request.projectId();
        ProjectRule rule = projects.get(project);
        if (rule == null) {
            return Optional.of(Denial.of("projects", "the restore policy (" + origin + ") lists no rule for project "
                    + project + ", so none of its instances may be restored"));
        }
        String base = "projects." + project + ".";
        if (!rule.allowsInstance(request.instanceId())) {
            return Optional.of(Denial.of(base + "instances", "instance " + request.instanceId()
                    + " is not among the instances the policy allows for project " + project + " " + rule.instances()));
        }
        int tables = request.restoreTables().stream().mapToInt(d -> d.tables().size()).sum();
        if (rule.maxTables() != null && tables > rule.maxTables()) {
            return Optional.of(Denial.of(base + "max_tables", "the request names " + tables
                    + " tables; the policy allows at most " + rule.maxTables() + " per request for project " + project));
        }
        if (caller.isPresent() && (!rule.callers().isEmpty() || !rule.roles().isEmpty())) {
            Caller who = caller.get();
            boolean named = rule.callers().contains(who.name());
            boolean holds = who.roles().stream().anyMatch(rule.roles()::contains);
            if (!named && !holds) {
                return Optional.of(Denial.of(base + "callers", "caller " + who.name() + " is not allowed to restore "
                        + "project " + project + ": the policy allows callers " + rule.callers() + " and roles "
                        + rule.roles()));
            }
        }
        return Optional.empty();
    }

    /** The most requests accepted per instance per hour for the request's project, if the policy limits it. */
    public Optional<Integer> hourlyLimit(RestoreRequest request) {
        if (open()) {
            return Optional.empty();
        }
        ProjectRule rule = projects.get(request.projectId());
        return rule == null ? Optional.empty() : Optional.ofNullable(rule.maxRestoresPerInstancePerHour());
    }

    /** The denial when an instance already had {@code acceptedLastHour} requests accepted in the last hour. */
    public Optional<Denial> checkHourly(RestoreRequest request, long acceptedLastHour) {
        return hourlyLimit(request)
                .filter(limit -> acceptedLastHour >= limit)
                .map(limit -> Denial.of("projects." + request.projectId() + ".max_restores_per_instance_per_hour",
                        "instance " + request.instanceId() + " already had " + acceptedLastHour + " restore(s) accepted "
                                + "in the last hour; the policy allows at most " + limit + " per hour"));
    }

    /** Reads a policy file; any error refuses the whole file, naming where it is. */
    static WatchedFile.Parsed<RestorePolicy> parse(String text, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return WatchedFile.Parsed.bad("is not valid YAML: " + message);
        }
        if (root == null || !root.isObject()) {
            return WatchedFile.Parsed.bad("must be a mapping with a 'projects' key");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("projects")) {
                return WatchedFile.Parsed.bad("has an unknown key '" + name + "' (only 'projects' is known)");
            }
        }
        JsonNode projectsNode = root.get("projects");
        if (projectsNode == null || !projectsNode.isObject()) {
            return WatchedFile.Parsed.bad("must have 'projects', a mapping from project_id to its rules");
        }
        Map<String, ProjectRule> rules = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = projectsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String where = "projects." + entry.getKey();
            JsonNode node = entry.getValue();
            if (!node.isObject()) {
                return WatchedFile.Parsed.bad(where + " must be a mapping of rules");
            }
            for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!PROJECT_KEYS.contains(key)) {
                    return WatchedFile.Parsed.bad(where + " has an unknown rule '" + key + "' (known: " + PROJECT_KEYS + ")");
                }
            }
            List<String> instances = strings(node.get("instances"));
            if (instances == null || instances.isEmpty()) {
                return WatchedFile.Parsed.bad(where + ".instances must be a non-empty list of instance ids or patterns");
            }
            Integer maxTables = positive(node.get("max_tables"));
            Integer hourly = positive(node.get("max_restores_per_instance_per_hour"));
            if (maxTables != null && maxTables < 0 || hourly != null && hourly < 0) {
                return WatchedFile.Parsed.bad(where + ": max_tables and max_restores_per_instance_per_hour must be "
                        + "whole numbers of at least 1 (0 for max_restores_per_instance_per_hour blocks the project)");
            }
            List<String> callers = node.has("callers") ? strings(node.get("callers")) : List.of();
            List<String> roles = node.has("roles") ? strings(node.get("roles")) : List.of();
            if (callers == null || roles == null) {
                return WatchedFile.Parsed.bad(where + ": callers and roles must be lists of names");
            }
            List<Pattern> patterns = instances.stream().map(RestorePolicy::glob).toList();
            rules.put(entry.getKey(), new ProjectRule(instances, patterns, maxTables, hourly,
                    new LinkedHashSet<>(callers), new LinkedHashSet<>(roles)));
        }
        return WatchedFile.Parsed.good(new RestorePolicy(Map.copyOf(rules), origin));
    }

    /** A number of at least 0, null when absent, -1 when it is something else. */
    private static Integer positive(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 0 ? node.intValue() : -1;
    }

    private static List<String> strings(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.textValue().isBlank()) {
                return null;
            }
            values.add(item.textValue().strip());
        }
        return values;
    }

    /** An instance pattern: * is any run of characters, ? one; anything else stands for itself. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
