package io.gaussrestore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Every setting of the service in one place; the README's configuration table follows this interface. */
@ConfigMapping(prefix = "restore")
public interface RestoreConfig {

    /** Rules applied to incoming request events. */
    Requests requests();

    /** How the GaussDB(for MySQL) API is reached. */
    GaussDb gaussdb();

    /** Retries of calls to the cloud. */
    Retry retry();

    /** Result events. */
    Results results();

    interface Requests {
        /** Largest request record accepted, in bytes; larger ones go to the dead-letter topic. */
        @WithDefault("1048576")
        int maxRecordBytes();

        /** Largest number of tables in one request, summed over all databases. */
        @WithDefault("2000")
        int maxTables();

        /** Oldest restore_time accepted, counted back from now (the longest backup retention). */
        @WithDefault("P732D")
        Duration retention();

        /** How far in the future a restore_time may lie, to allow for clock skew. */
        @WithDefault("PT60S")
        Duration clockSkew();
    }

    interface GaussDb {
        /** Base URL of the GaussDB API, e.g. https://gaussdb.cn-north-4.myhuaweicloud.com. */
        URI endpoint();

        /** A fixed IAM token sent as X-Auth-Token. */
        Optional<String> authToken();

        /** Value of the X-Language header: en-us or zh-cn. */
        @WithDefault("en-us")
        String language();

        /** Time allowed to open a connection to the API. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Time allowed for the API to answer once the request was sent. */
        @WithDefault("PT30S")
        Duration readTimeout();
    }

    interface Retry {
        /** Attempts per call, the first included, for errors that certainly started nothing. */
        @WithDefault("4")
        int maxAttempts();

        /** Base of the exponential backoff between attempts. */
        @WithDefault("PT0.3S")
        Duration initialBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("PT60S")
        Duration maxBackoff();
    }

    interface Results {
        /** The CloudEvents source of result events. */
        @WithDefault("/gaussdb-restore-service")
        String source();
    }
}
