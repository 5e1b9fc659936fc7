package io.gaussrestore.ledger;

import io.gaussrestore.testing.H2Files;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ledger contract on the embedded H2 file store, the default. */
class H2LedgerTest extends IdempotencyLedgerContract {

    @RegisterExtension
    static final H2Files.PerClass STORE = new H2Files.PerClass("ledger");

    @Override
    DataSource dataSource() {
        return STORE.pool();
    }
}
