package io.gaussrestore.request;

/** Chooses the request_id of a request: its own, else the CloudEvents id header, else one derived from content. */
public final class RequestIds {

    private RequestIds() {}

    /** For a valid request: request_id, then the ce_id header, then {@code sha256:} + business key hash. */
    public static String forValid(RestoreRequest request, String ceIdHeader, String businessKey) {
        if (request.requestId() != null) {
            return request.requestId();
        }
        if (ceIdHeader != null && !ceIdHeader.isBlank()) {
            return ceIdHeader;
        }
        return businessKey;
    }

    /**
     * For a rejected request, which has no business key: its well-formed request_id, then ce_id, then
     * {@code sha256:} over the record's bytes, so a redelivered record gets the same id.
     */
    public static String forInvalid(String wellFormedRequestId, String ceIdHeader, byte[] recordValue) {
        if (wellFormedRequestId != null) {
            return wellFormedRequestId;
        }
        if (ceIdHeader != null && !ceIdHeader.isBlank()) {
            return ceIdHeader;
        }
        return "sha256:" + BusinessKey.sha256Hex(recordValue);
    }
}
