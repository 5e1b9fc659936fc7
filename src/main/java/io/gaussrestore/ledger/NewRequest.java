package io.gaussrestore.ledger;

import java.time.Instant;

/**
 * A request arriving at the ledger.
 *
 * @param businessKey null for a rejected request, which has none
 * @param requestJson the request as received (valid requests) or its raw text (rejected ones)
 */
public record NewRequest(
        String requestId,
        String businessKey,
        String projectId,
        String instanceId,
        String requestJson,
        String requestedBy,
        String reason,
        String ticket,
        String source,
        String firstResultId,
        Instant receivedAt) {}
