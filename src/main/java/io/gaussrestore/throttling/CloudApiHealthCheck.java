package io.gaussrestore.throttling;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: down while the circuit to the cloud is open (new requests are not being taken). */
@Readiness
@ApplicationScoped
public class CloudApiHealthCheck implements HealthCheck {

    @Inject CircuitBreaker circuit;

    @Override
    public HealthCheckResponse call() {
        CircuitBreaker.State state = circuit.state();
        return HealthCheckResponse.named("gaussdb-api").status(state == CircuitBreaker.State.CLOSED)
                .withData("circuit", state.name()).build();
    }
}
