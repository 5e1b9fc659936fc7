package io.gaussrestore.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gaussrestore.request.Violation;
import org.junit.jupiter.api.Test;

class RestoreFormTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFilledInFormBecomesTheRequestEventTablesGroupedByDatabaseInOrder() throws Exception {
        RestoreForm form = new RestoreForm(" inc-1 ", "p", "i", "2026-11-29T09:30:00Z", true,
                "shop orders orders_back\n\n  shop items items_back ; crm  leads leads_back", "why", "");
        var event = ((RestoreForm.Built.Event) form.build(null, false)).json();
        assertThat(event).isEqualTo(JSON.readTree("""
                {"request_id": "inc-1", "project_id": "p", "instance_id": "i", "restore_time": 1795944600000,
                 "last_table_info": true, "restore_tables": [
                   {"database": "shop", "tables": [{"old_name": "orders", "new_name": "orders_back"},
                                                   {"old_name": "items", "new_name": "items_back"}]},
                   {"database": "crm", "tables": [{"old_name": "leads", "new_name": "leads_back"}]}],
                 "reason": "why"}
                """));
        var dryRun = ((RestoreForm.Built.Event) form.build("", true)).json();
        assertThat(dryRun.has("request_id")).isFalse();
        assertThat(dryRun.get("dry_run").asBoolean()).isTrue();
        assertThat(((RestoreForm.Built.Event) new RestoreForm("", "p", "i", "1690890940000", false, "a b c", "", "")
                .build(null, false)).json().get("restore_time").asLong()).isEqualTo(1690890940000L);
    }

    @Test
    void whatCannotBeReadIsSaidPerFieldAndTheRestIsStillBuilt() {
        var built = (RestoreForm.Built.Unreadable) new RestoreForm("", "p", "i", "yesterday", true,
                "shop orders\nshop items items_back", "", "").build(null, false);
        assertThat(built.violations()).extracting(RestoreForm::fieldOf).containsExactly("restore_time", "restore_tables");
        assertThat(built.violations().get(1).message()).contains("line 1");
        assertThat(built.partial().get("instance_id").asText()).isEqualTo("i");
        assertThat(built.partial().at("/restore_tables/0/tables")).hasSize(1);
    }

    @Test
    void aViolationBelongsToTheFieldItsPathStartsWith() {
        assertThat(RestoreForm.fieldOf(new Violation("$.restore_tables[0].tables[2].new_name", "x"))).isEqualTo("restore_tables");
        assertThat(RestoreForm.fieldOf(new Violation("$.instance_id", "x"))).isEqualTo("instance_id");
        assertThat(RestoreForm.fieldOf(new Violation("$", "x"))).isEmpty();
        assertThat(RestoreForm.fieldOf(new Violation("$.dry_run", "x"))).isEmpty();
    }

    @Test
    void aRequestFillsTheFormInAgainAndTheTablesFitOnOneLine() throws Exception {
        RestoreForm form = RestoreForm.of(JSON.readTree("""
                {"request_id": "r", "project_id": "p", "instance_id": "i", "restore_time": "1795944600000",
                 "last_table_info": "false", "reason": "why", "ticket": "T-1",
                 "restore_tables": [{"database": "shop", "tables": [{"old_name": "a", "new_name": "b"},
                                                                    {"old_name": "c", "new_name": "d"}]}]}
                """));
        assertThat(form).isEqualTo(new RestoreForm("r", "p", "i", "2026-11-29T09:30:00Z", false, "shop a b\nshop c d",
                "why", "T-1"));
        assertThat(form.tablesOnOneLine()).isEqualTo("shop a b; shop c d");
        assertThat(new RestoreForm("r", "p", "i", "x", true, form.tablesOnOneLine(), "", "").tables())
                .isEqualTo("shop a b; shop c d");
    }
}
