package io.gaussrestore.cloud;

/** What one HTTP call to the cloud gave: an answer with a status, or no answer at all. */
public sealed interface ApiResult {

    /** The metrics label for this result's status. */
    String statusLabel();

    /** A sentence for results and logs: the status and error of an answer, or why there was none. */
    default String describe() {
        if (this instanceof ErrorResponse error) {
            return "HTTP " + error.httpStatus() + " " + error.errorCode() + ": " + error.errorMessage();
        }
        if (this instanceof NoResponse none) {
            return "no answer from the cloud (" + none.kind().name().toLowerCase(java.util.Locale.ROOT) + "): "
                    + none.message();
        }
        return "HTTP " + statusLabel();
    }

    /** A 2xx answer and its body. */
    record Success(int httpStatus, String body, String cloudRequestId) implements ApiResult {
        @Override
        public String statusLabel() {
            return Integer.toString(httpStatus);
        }
    }

    /** A non-2xx answer; error is empty when the body was not a GaussDB/gateway error body. */
    record ErrorResponse(int httpStatus, java.util.Optional<ApiErrorBody> error, String retryAfter,
            String cloudRequestId) implements ApiResult {
        @Override
        public String statusLabel() {
            return Integer.toString(httpStatus);
        }

        public String errorCode() {
            return error.map(ApiErrorBody::errorCode).orElse("HTTP." + httpStatus);
        }

        public String errorMessage() {
            return error.map(ApiErrorBody::errorMsg).orElse("HTTP " + httpStatus + " without an error body");
        }
    }

    /**
     * No answer: the connection could not be made ({@code requestSent} false, so nothing started) or broke
     * or timed out after the request went out ({@code requestSent} true, so the outcome is unknown).
     */
    record NoResponse(Kind kind, boolean requestSent, String message) implements ApiResult {
        /** Why there was no answer. */
        /** NOT_SENT: the call was withdrawn before it left (its claim was given back); nothing reached the cloud. */
        public enum Kind { CONNECT_FAILED, TIMEOUT, CONNECTION_BROKEN, NOT_SENT }

        @Override
        public String statusLabel() {
            return kind == Kind.TIMEOUT ? "timeout" : "io_error";
        }
    }
}
