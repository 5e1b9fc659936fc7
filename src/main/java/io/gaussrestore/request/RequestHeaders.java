package io.gaussrestore.request;

/** Headers the HTTP door puts on the request records it writes. */
public final class RequestHeaders {

    /** The authenticated caller of POST /restores (the request's requested_by). */
    public static final String HTTP_CALLER = "restore-http-caller";
    /**
     * The roles the caller held at the HTTP door, comma-separated: the policy's caller rule is applied with them
     * when the record is handled, however long after it was written.
     */
    public static final String HTTP_CALLER_ROLES = "restore-http-caller-roles";
    /** Why the HTTP door's policy check refused the request; the pipeline ends it REJECTED POLICY_DENIED. */
    public static final String POLICY_DENIED = "restore-policy-denied";

    private RequestHeaders() {}
}
