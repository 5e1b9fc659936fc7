package io.gaussrestore.request;

/**
 * Chooses the request_id of a request: its own, else the CloudEvents id header when it is a well-formed
 * request_id (any other header value is ignored), else one derived from content.
 */
public final class RequestIds {

    private static final java.util.regex.Pattern WELL_FORMED = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {}

    /** Whether a text may be a request_id: 1 to 128 of letters, digits, '.', '_', ':' or '-'. */
    public static boolean wellFormed(String text) {
        return text != null && WELL_FORMED.matcher(text).matches();
    }

    /** For a valid request: request_id, then the ce_id header, then {@code sha256:} + business key hash. */
    public static String forValid(RestoreRequest request, String ceIdHeader, String businessKey) {
        if (request.requestId() != null) {
            return request.requestId();
        }
        if (wellFormed(ceIdHeader)) {
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
        if (wellFormed(ceIdHeader)) {
            return ceIdHeader;
        }
        return "sha256:" + BusinessKey.sha256Hex(recordValue);
    }
}
