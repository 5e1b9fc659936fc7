package io.gaussrestore.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: without its ledger the service cannot tell a new restore from a duplicate. */
@Readiness
@ApplicationScoped
public class LedgerHealthCheck implements HealthCheck {

    @Inject IdempotencyLedger ledger;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("idempotency-ledger").status(ledger.ping()).build();
    }
}
