package io.gaussrestore.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class LedgerStatementCacheTest {

    @Test
    void anEmbeddedLedgerKeepsTheParsedFormOfEveryStatementItUses() throws Exception {
        String url = LedgerStore.withStatementCache("jdbc:h2:mem:statement-cache;DB_CLOSE_DELAY=-1");
        try (Connection connection = DriverManager.getConnection(url);
                ResultSet row = connection.createStatement().executeQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_CACHE_SIZE'")) {
            assertThat(row.next()).isTrue();
            assertThat(Integer.parseInt(row.getString(1))).isGreaterThanOrEqualTo(64);
        }
    }

    @Test
    void aSizeGivenInTheUrlAndOtherDatabasesAreLeftAsTheyAre() {
        assertThat(LedgerStore.withStatementCache("jdbc:h2:file:./l;query_cache_size=16"))
                .isEqualTo("jdbc:h2:file:./l;query_cache_size=16");
        assertThat(LedgerStore.withStatementCache("jdbc:postgresql://db:5432/ledger"))
                .isEqualTo("jdbc:postgresql://db:5432/ledger");
    }
}
