package io.gaussrestore.request;

import io.gaussrestore.config.RestoreConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the request contract's plain objects from the configuration. */
public class RequestComponents {

    @Produces
    @Singleton
    RecordDecoder recordDecoder(RestoreConfig config) {
        return new RecordDecoder(config.requests().maxRecordBytes());
    }

    @Produces
    @Singleton
    RestoreRequestValidator validator(RestoreConfig config, Clock clock) {
        return new RestoreRequestValidator(rules(config), clock);
    }

    /** The request rules the configuration sets. */
    public static RequestRules rules(RestoreConfig config) {
        RestoreConfig.Requests requests = config.requests();
        return new RequestRules(requests.maxTables(), requests.retention(), requests.clockSkew());
    }
}
