package io.gaussrestore.request;

import java.util.List;

/**
 * A valid restore request, normalised: restore_time in epoch milliseconds, last_table_info as a boolean.
 *
 * @param requestId the producer's request_id, or null when it gave none
 * @param dryRun run every check and answer what would happen, without claiming or sending anything
 */
public record RestoreRequest(
        String requestId,
        String projectId,
        String instanceId,
        long restoreTimeMillis,
        boolean lastTableInfo,
        List<DatabaseTables> restoreTables,
        Audit audit,
        boolean dryRun) {

    public RestoreRequest {
        restoreTables = List.copyOf(restoreTables);
    }

    /** A request to be carried out (not a dry run). */
    public RestoreRequest(String requestId, String projectId, String instanceId, long restoreTimeMillis,
            boolean lastTableInfo, List<DatabaseTables> restoreTables, Audit audit) {
        this(requestId, projectId, instanceId, restoreTimeMillis, lastTableInfo, restoreTables, audit, false);
    }

    /** The tables of one database to restore. */
    public record DatabaseTables(String database, List<TableRename> tables) {
        public DatabaseTables {
            tables = List.copyOf(tables);
        }
    }

    /** One table and the name its restored copy gets. */
    public record TableRename(String oldName, String newName) {}

    /** Who asked and why; stored and echoed, never sent to the cloud. */
    public record Audit(String requestedBy, String reason, String ticket) {
        public static final Audit NONE = new Audit(null, null, null);
    }
}
