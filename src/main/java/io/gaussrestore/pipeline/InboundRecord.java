package io.gaussrestore.pipeline;

import java.time.Instant;

/**
 * A request record as the pipeline sees it, free of any messaging API.
 *
 * @param ceId the record's {@code ce_id} header, null when absent
 * @param timestamp the record's timestamp, the start of the request latency; null when unknown
 * @param fence checked before every call to the cloud: work on a record whose partition moved elsewhere stops
 */
public record InboundRecord(byte[] value, String ceId, Instant timestamp, String topic, int partition, long offset,
        RecordFence fence) {

    /** Where the record sits, for log lines. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
