package io.gaussrestore.observability;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is off unless an OTLP endpoint is configured: this source says {@code quarkus.otel.sdk.disabled=true}
 * when neither {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} nor {@code QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}
 * (or their system properties) is set. Its ordinal is below every other source, so an explicit setting wins.
 */
public class TracingSwitch implements ConfigSource {

    private static final String DISABLED = "quarkus.otel.sdk.disabled";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(DISABLED);
    }

    @Override
    public String getValue(String propertyName) {
        return DISABLED.equals(propertyName) ? Boolean.toString(!endpointConfigured()) : null;
    }

    static boolean endpointConfigured() {
        Map<String, String> env = System.getenv();
        return set(env.get("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"))
                || set(env.get("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
                || set(System.getProperty("quarkus.otel.exporter.otlp.endpoint"))
                || set(System.getProperty("quarkus.otel.exporter.otlp.traces.endpoint"));
    }

    private static boolean set(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public int getOrdinal() {
        return 50;
    }

    @Override
    public String getName() {
        return "tracing-switch";
    }
}
