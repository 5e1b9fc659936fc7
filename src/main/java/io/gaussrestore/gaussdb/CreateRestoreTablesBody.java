package io.gaussrestore.gaussdb;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gaussrestore.request.RestoreRequest;
import java.util.List;

/**
 * The body of CreateRestoreTables as the official SDK sends it: restore_time and last_table_info are strings.
 */
public record CreateRestoreTablesBody(
        @JsonProperty("restore_time") String restoreTime,
        @JsonProperty("last_table_info") String lastTableInfo,
        @JsonProperty("restore_tables") List<Database> restoreTables) {

    /** One database and its tables. */
    public record Database(
            @JsonProperty("database") String database,
            @JsonProperty("tables") List<Table> tables) {}

    /** One table and the name of its restored copy. */
    public record Table(
            @JsonProperty("old_name") String oldName,
            @JsonProperty("new_name") String newName) {}

    /** The one place where the event contract's request becomes the cloud's body; audit fields stay behind. */
    public static CreateRestoreTablesBody from(RestoreRequest request) {
        return new CreateRestoreTablesBody(
                Long.toString(request.restoreTimeMillis()),
                Boolean.toString(request.lastTableInfo()),
                request.restoreTables().stream()
                        .map(db -> new Database(db.database(), db.tables().stream()
                                .map(t -> new Table(t.oldName(), t.newName()))
                                .toList()))
                        .toList());
    }
}
