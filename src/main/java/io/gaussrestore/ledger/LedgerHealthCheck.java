package io.gaussrestore.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: without its ledger the service cannot tell a new restore from a duplicate. */
@Readiness
@ApplicationScoped
public class LedgerHealthCheck implements HealthCheck {

    private final IdempotencyLedger ledger;

    public LedgerHealthCheck(IdempotencyLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("idempotency-ledger").status(ledger.ping()).build();
    }
}
