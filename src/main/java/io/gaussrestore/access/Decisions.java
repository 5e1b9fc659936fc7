package io.gaussrestore.access;

import org.jboss.logging.Logger;

/**
 * The audit trail of who asked for what and what was decided: one line per decision, as key=value pairs
 * (values quoted), in the category {@code io.gaussrestore.access.decisions}. Never a credential.
 */
public final class Decisions {

    private static final Logger LOG = Logger.getLogger("io.gaussrestore.access.decisions");

    private Decisions() {}

    public static void accepted(String door, String requestId, String caller, String project, String instance) {
        LOG.infof("decision=accepted door=%s request_id=%s caller=%s project=%s instance=%s", door, quote(requestId),
                quote(caller), quote(project), quote(instance));
    }

    public static void denied(String door, String requestId, String caller, String project, String instance,
            String code, String why) {
        LOG.infof("decision=denied door=%s request_id=%s caller=%s project=%s instance=%s code=%s reason=%s", door,
                quote(requestId), quote(caller), quote(project), quote(instance), quote(code), quote(why));
    }

    /** A refused credential or role, before any request was read. */
    public static void refused(String what, String caller, String method, String path, String why) {
        LOG.infof("decision=%s caller=%s method=%s path=%s reason=%s", what, quote(caller), method, quote(path),
                quote(why));
    }

    /** An action taken in the console (sign-in, sign-out, a request sent, a retry, a cancel), and its outcome. */
    public static void console(String action, String caller, String requestId, String outcome) {
        LOG.infof("decision=console action=%s caller=%s request_id=%s outcome=%s", action, quote(caller),
                quote(requestId), quote(outcome));
    }

    static String quote(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        int limit = Math.min(value.length(), 512);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.append(limit < value.length() ? "...\"" : "\"").toString();
    }
}
