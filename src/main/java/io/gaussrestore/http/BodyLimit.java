package io.gaussrestore.http;

import io.gaussrestore.config.RestoreConfig;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A request body announced larger than the record limit is refused with 413 before it is read, so that a huge
 * upload costs neither memory nor a trip through the rest of the stack.
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Router router, RestoreConfig config) {
        long limit = config.requests().maxRecordBytes();
        String body = "{\"error\":\"the body is over the limit of " + limit + " bytes (RESTORE_MAX_RECORD_BYTES)\"}";
        router.route("/restores*").order(-100).handler(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && tooLong(length, limit)) {
                context.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close").end(body);
                return;
            }
            context.next();
        });
    }

    static boolean tooLong(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.strip()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
