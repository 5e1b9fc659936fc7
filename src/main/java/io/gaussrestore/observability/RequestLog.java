package io.gaussrestore.observability;

import org.jboss.logging.MDC;

/**
 * Log lines about one request carry its identity as fields: request_id, instance_id, job_id (and trace_id when
 * the request came with a W3C traceparent). In JSON logs (production) they appear under "mdc", so that one
 * request can be followed by its request_id; text logs (dev, test, local) are unchanged.
 */
public final class RequestLog {

    public static final String REQUEST_ID = "request_id";
    public static final String INSTANCE_ID = "instance_id";
    public static final String JOB_ID = "job_id";
    public static final String TRACE_ID = "trace_id";

    private RequestLog() {}

    /** Runs one logging call with the request's fields set (only the non-null ones), then puts back what was there. */
    public static void with(String requestId, String instanceId, String jobId, Runnable logCall) {
        with(requestId, instanceId, jobId, null, logCall);
    }

    /** As {@link #with(String, String, String, Runnable)}, with the trace the request belongs to. */
    public static void with(String requestId, String instanceId, String jobId, String traceId, Runnable logCall) {
        Object[] previous = {MDC.get(REQUEST_ID), MDC.get(INSTANCE_ID), MDC.get(JOB_ID), MDC.get(TRACE_ID)};
        put(REQUEST_ID, requestId);
        put(INSTANCE_ID, instanceId);
        put(JOB_ID, jobId);
        put(TRACE_ID, traceId);
        try {
            logCall.run();
        } finally {
            restore(REQUEST_ID, previous[0]);
            restore(INSTANCE_ID, previous[1]);
            restore(JOB_ID, previous[2]);
            restore(TRACE_ID, previous[3]);
        }
    }

    /** The trace id of a W3C traceparent header ({@code 00-<32 hex>-<16 hex>-<2 hex>}), or null. */
    public static String traceId(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String[] parts = traceparent.strip().split("-");
        if (parts.length != 4 || parts[1].length() != 32 || !parts[1].matches("[0-9a-f]{32}")
                || parts[1].matches("0{32}")) {
            return null;
        }
        return parts[1];
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    private static void restore(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
