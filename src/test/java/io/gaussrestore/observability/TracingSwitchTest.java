package io.gaussrestore.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tracing is off unless an OTLP endpoint is configured, and an explicit setting wins over the switch. */
class TracingSwitchTest {

    @AfterEach
    void clear() {
        System.clearProperty("quarkus.otel.exporter.otlp.endpoint");
    }

    @Test
    void theSdkIsOffWithoutAnEndpointAndOnWithOne() {
        TracingSwitch source = new TracingSwitch();
        org.junit.jupiter.api.Assumptions.assumeFalse(TracingSwitch.endpointConfigured(),
                "an OTLP endpoint is set in this environment");
        assertThat(source.getValue("quarkus.otel.sdk.disabled")).isEqualTo("true");
        System.setProperty("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317");
        assertThat(source.getValue("quarkus.otel.sdk.disabled")).isEqualTo("false");
        assertThat(source.getValue("anything.else")).isNull();
        assertThat(source.getOrdinal()).as("below application.properties and the environment").isLessThan(100);
    }

    @Test
    void aTraceIdIsReadOnlyFromAWellFormedTraceparent() {
        assertThat(RequestLog.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(RequestLog.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
        assertThat(RequestLog.traceId("garbage")).isNull();
        assertThat(RequestLog.traceId(null)).isNull();
    }
}
