package io.gaussrestore.simulator;

import io.gaussrestore.config.RestoreConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.inject.Provider;

/** Hides the simulator's endpoints (404) unless restore.simulator.enabled is true, as in production. */
@jakarta.ws.rs.ext.Provider
@SimulatorEndpoint
class SimulatorGate implements ContainerRequestFilter {

    // Looked up per request: providers are built before the configuration mapping is ready.
    private final Provider<RestoreConfig> config;

    SimulatorGate(Provider<RestoreConfig> config) {
        this.config = config;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!config.get().simulator().enabled()) {
            request.abortWith(Response.status(Response.Status.NOT_FOUND).build());
        }
    }
}
