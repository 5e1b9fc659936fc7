package io.gaussrestore.ledger;

import static io.gaussrestore.ledger.LedgerRows.time;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The ledger on any JDBC store whose SQL is portable between H2 2.x and PostgreSQL: one class per role
 * ({@link JdbcRequestClaims}, {@link JdbcInstanceLines}, {@link JdbcFirstPublications}, {@link JdbcLedgerReads},
 * {@link JdbcJobRecords}) on shared statements ({@link LedgerJdbc}) and row mapping ({@link LedgerRows}); this
 * class puts them together and keeps the store's upkeep. Each statement runs in auto-commit: atomicity comes from
 * primary keys and compare-and-set updates, not from locks held across calls.
 */
public final class JdbcIdempotencyLedger implements IdempotencyLedger {

    private final LedgerJdbc db;
    private final RequestClaims claims;
    private final InstanceLines lines;
    private final FirstPublications publications;
    private final LedgerReads reads;
    private final JobRecords jobs;

    /**
     * @param window how long a request and its business key are remembered
     * @param lease how long a SUBMITTING request is protected before it counts as abandoned
     * @param owner this process's identity in leases
     */
    public JdbcIdempotencyLedger(DataSource dataSource, Duration window, Duration lease, String owner) {
        this.db = new LedgerJdbc(dataSource);
        this.claims = new JdbcRequestClaims(db, window, lease, owner);
        this.lines = new JdbcInstanceLines(db, lease, owner);
        this.publications = new JdbcFirstPublications(db);
        this.reads = new JdbcLedgerReads(db, window);
        this.jobs = new JdbcJobRecords(db, owner);
    }

    // ---- RequestClaims ----

    @Override
    public Claim claim(NewRequest request, Instant now) {
        return claims.claim(request, now);
    }

    @Override
    public Claim resumeClaim(LedgerEntry received, String source, Instant now) {
        return claims.resumeClaim(received, source, now);
    }

    @Override
    public Claim recordRejected(NewRequest request, String errorCode, String violationsJson, String message, Instant now, String publisher) {
        return claims.recordRejected(request, errorCode, violationsJson, message, now, publisher);
    }

    @Override
    public Claim recordDryRun(NewRequest request, String outcome, String findingsJson, String message, Instant now) {
        return claims.recordDryRun(request, outcome, findingsJson, message, now);
    }

    @Override
    public long acceptedSince(String instanceId, Instant since, String excludingRequestId) {
        return reads.acceptedSince(instanceId, since, excludingRequestId);
    }

    @Override
    public Optional<LedgerEntry> holderOf(String businessKey, Instant now) {
        return reads.holderOf(businessKey, now);
    }

    @Override
    public boolean renewLease(String requestId, String leaseToken, Instant until, Instant now) {
        return claims.renewLease(requestId, leaseToken, until, now);
    }

    @Override
    public boolean relinquish(String requestId, String leaseToken, Instant now) {
        return claims.relinquish(requestId, leaseToken, now);
    }

    @Override
    public Optional<LedgerEntry> recordOutcome(String requestId, String leaseToken, Outcome outcome) {
        return claims.recordOutcome(requestId, leaseToken, outcome);
    }

    @Override
    public Optional<LedgerEntry> expireLease(String requestId, String message, Instant now) {
        return claims.expireLease(requestId, message, now);
    }

    @Override
    public List<LedgerEntry> orphans(Instant before, Instant othersBefore, Instant now, int limit) {
        return claims.orphans(before, othersBefore, now, limit);
    }

    @Override
    public String owner() {
        return claims.owner();
    }

    @Override
    public Duration lease() {
        return claims.lease();
    }

    // ---- InstanceLines ----

    @Override
    public Optional<LedgerEntry> occupant(String instanceId, String requestId, boolean jobsCount) {
        return lines.occupant(instanceId, requestId, jobsCount);
    }

    @Override
    public Optional<LedgerEntry> park(String requestId, String leaseToken, String waitingFor, Instant checkAt, Instant deadline, int attempts, Instant now) {
        return lines.park(requestId, leaseToken, waitingFor, checkAt, deadline, attempts, now);
    }

    @Override
    public List<LedgerEntry> queueHeads(Instant now, boolean jobsCount, int limit) {
        return lines.queueHeads(now, jobsCount, limit);
    }

    @Override
    public List<LedgerEntry> queued(String instanceId, int limit) {
        return reads.queued(instanceId, limit);
    }

    @Override
    public boolean instanceWorking(String instanceId, boolean jobsCount) {
        return lines.instanceWorking(instanceId, jobsCount);
    }

    @Override
    public Optional<LedgerEntry> takeFromQueue(String requestId, boolean jobsCount, Instant now) {
        return lines.takeFromQueue(requestId, jobsCount, now);
    }

    @Override
    public boolean backInLine(String requestId, String leaseToken, Instant now) {
        return lines.backInLine(requestId, leaseToken, now);
    }

    @Override
    public void recheckLater(String requestId, Instant checkAt) {
        lines.recheckLater(requestId, checkAt);
    }

    @Override
    public Optional<LedgerEntry> leaveQueue(String requestId, LedgerState state, String errorCode, String message, Instant now) {
        return lines.leaveQueue(requestId, state, errorCode, message, now);
    }

    @Override
    public List<LedgerEntry> expiredInQueue(Instant now, int limit) {
        return lines.expiredInQueue(now, limit);
    }

    @Override
    public List<LedgerEntry> lapsedReleases(Instant now, int limit) {
        return lines.lapsedReleases(now, limit);
    }

    @Override
    public long queuedCount() {
        return lines.queuedCount();
    }

    // ---- FirstPublications ----

    @Override
    public Optional<String> takeFirstPublication(String requestId, String resultJson, boolean keep, String publisher, Instant now) {
        return publications.takeFirstPublication(requestId, resultJson, keep, publisher, now);
    }

    @Override
    public void markFirstResultPublished(String requestId) {
        publications.markFirstResultPublished(requestId);
    }

    @Override
    public void markFirstResultsPublished(java.util.Collection<String> requestIds) {
        publications.markFirstResultsPublished(requestIds);
    }

    // ---- LedgerReads ----

    @Override
    public Optional<LedgerEntry> find(String requestId) {
        return reads.find(requestId);
    }

    @Override
    public List<LedgerEntry> recent(String instanceId, LedgerState state, int limit) {
        return reads.recent(instanceId, state, limit);
    }

    @Override
    public List<LedgerEntry> search(LedgerSearch search, int offset, int limit) {
        return reads.search(search, offset, limit);
    }

    @Override
    public java.util.Map<LedgerState, Long> countsSince(Instant since) {
        return reads.countsSince(since);
    }

    @Override
    public List<LedgerEntry> needingAttention(Instant since, int limit) {
        return reads.needingAttention(since, limit);
    }

    // ---- JobRecords ----

    @Override
    public List<LedgerEntry> claimDueJobs(Instant now, Instant dueBy, Duration lease, int limit) {
        return jobs.claimDueJobs(now, dueBy, lease, limit);
    }

    @Override
    public Optional<LedgerEntry> recordTracking(String requestId, TrackingUpdate update, Instant now) {
        return jobs.recordTracking(requestId, update, now);
    }

    @Override
    public void markTrackingPublished(String requestId, String eventId) {
        jobs.markTrackingPublished(requestId, eventId);
    }

    @Override
    public long jobsInFlight() {
        return jobs.jobsInFlight();
    }

    @Override
    public Optional<Instant> oldestJobSubmittedAt() {
        return jobs.oldestJobSubmittedAt();
    }

    // ---- upkeep ----

    @Override
    public int purge(Instant olderThan, int batch) {
        int claims = db.execute("DELETE FROM business_key_claim WHERE business_key IN "
                + "(SELECT business_key FROM business_key_claim WHERE claimed_at < ? LIMIT ?)", time(olderThan), batch);
        int requests = db.execute("DELETE FROM restore_request WHERE request_id IN (SELECT request_id FROM restore_request "
                + "WHERE received_at < ? AND state NOT IN (?, ?, ?) LIMIT ?)", time(olderThan),
                LedgerState.SUBMITTING.name(), LedgerState.RUNNING.name(), LedgerState.QUEUED.name(), batch);
        return claims + requests;
    }
    @Override
    public boolean ping() {
        return db.ping();
    }
}
