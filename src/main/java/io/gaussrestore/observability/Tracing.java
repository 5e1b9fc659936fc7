package io.gaussrestore.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;

/**
 * The traces of requests, with explicit parents (the pipeline hops threads, so nothing relies on a current
 * context): a request record's W3C traceparent is continued (or a trace begun), each step is a child span, and
 * the first result record carries the request's traceparent. Calls to the cloud get a span of their own but no
 * trace header: the cloud is a third party. Without an OTLP endpoint the SDK is off and all of this is free.
 */
@ApplicationScoped
public class Tracing {

    public static final String TRACEPARENT = "traceparent";
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gaussdb.restore.request_id");
    private static final AttributeKey<String> INSTANCE_ID = AttributeKey.stringKey("gaussdb.restore.instance_id");
    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    public Tracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("gaussdb-restore-service");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** The span of one request record, continuing the producer's trace when the record carries a traceparent. */
    public Span startRequest(String traceparent, String position) {
        Context parent = traceparent == null ? Context.root()
                : propagator.extract(Context.root(), Map.of(TRACEPARENT, traceparent), FROM_MAP);
        return tracer.spanBuilder("restore request").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.kafka.record.position", position)
                .startSpan();
    }

    /** A step of a request's work, under its request span. */
    public Span startStep(Span request, String name, SpanKind kind) {
        return tracer.spanBuilder(name).setParent(Context.root().with(request)).setSpanKind(kind).startSpan();
    }

    /** Names the request on its span once it is known. */
    public static void identify(Span span, String requestId, String instanceId) {
        if (requestId != null) {
            span.setAttribute(REQUEST_ID, requestId);
        }
        if (instanceId != null) {
            span.setAttribute(INSTANCE_ID, instanceId);
        }
    }

    /** Ends a span, marked as an error when the work failed. */
    public static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** The W3C traceparent of a span, for a record's headers; null when tracing is off. */
    public String traceparent(Span span) {
        if (!span.getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(Context.root().with(span), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** The traceparent of whatever is current (the HTTP door's server span), or null. */
    public String currentTraceparent() {
        return traceparent(Span.current());
    }

    /** The trace id of a span, for log lines; null when tracing is off. */
    public static String traceId(Span span) {
        return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }
}
