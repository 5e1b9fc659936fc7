package io.gaussrestore.ledger;

import java.time.Instant;

/**
 * One request as the ledger remembers it.
 *
 * @param firstStatus the status of the request's first result, once decided
 * @param firstResultId the CloudEvents id of that first result, fixed at arrival so a republication is the same event
 * @param errorDetails the violations of a REJECTED request, as JSON
 * @param source where the request record was read (topic-partition@offset), to recognise a redelivery
 * @param jobStatus the cloud job's last status (Pending, Running, Completed, Failed)
 * @param trackEventId the CloudEvents id of the latest tracking result, published when trackEventPublished
 * @param leaseToken the token of the claim that may submit this request now (SUBMITTING only)
 * @param firstResultJson the first result exactly as published, so that a republication is the same bytes
 * @param queuePosition the request's order among those waiting for its instance (QUEUED only)
 * @param queuePlace its place in the instance's line when it was queued (1: next)
 * @param waitingFor what it waits for, in words
 * @param queueCheckAt when to look at a busy instance again (a busy instance not busy with a restore of ours)
 * @param queueDeadline when a request still waiting ends FAILED
 */
public record LedgerEntry(
        String requestId,
        String businessKey,
        String projectId,
        String instanceId,
        LedgerState state,
        LedgerState firstStatus,
        String firstResultId,
        boolean firstResultPublished,
        String requestJson,
        String requestedBy,
        String reason,
        String ticket,
        String jobId,
        int attempts,
        String errorCode,
        String errorMessage,
        String errorDetails,
        Integer httpStatus,
        Boolean retryable,
        String duplicateOf,
        String progress,
        String source,
        String leaseOwner,
        Instant leaseUntil,
        Instant receivedAt,
        Instant submittedAt,
        Instant finishedAt,
        Instant updatedAt,
        String jobStatus,
        Instant nextPollAt,
        int polls,
        String trackerOwner,
        Instant trackerLeaseUntil,
        String trackEventId,
        boolean trackEventPublished,
        String leaseToken,
        String firstResultJson,
        Long queuePosition,
        Instant queuedAt,
        Integer queuePlace,
        String waitingFor,
        Instant queueCheckAt,
        Instant queueDeadline) {}
