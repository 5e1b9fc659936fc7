package io.gaussrestore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Every setting of the service in one place; docs/configuration.md describes each one. */
@ConfigMapping(prefix = "restore")
public interface RestoreConfig {

    /** Rules applied to incoming request events. */
    Requests requests();

    /** How the GaussDB(for MySQL) API is reached. */
    GaussDb gaussdb();

    /** Credentials for the cloud. */
    Auth auth();

    /** Retries of calls to the cloud. */
    Retry retry();

    /** Result events. */
    Results results();

    /** How hard the cloud is driven: rate per project, requests in flight, and when to stop calling it. */
    Throttling throttling();

    /** The idempotency ledger. */
    Ledger ledger();

    /** Following submitted jobs to their end. */
    Tracking tracking();

    /** Requests waiting for their instance. */
    Queue queue();

    /** Who may use the HTTP API, and what any request may restore. */
    Access access();

    /** The web console for the person on call. */
    Console console();

    interface Console {
        /** Whether the console is served under /console (it still needs an API key to sign in). */
        @WithDefault("true")
        boolean enabled();

        /**
         * The secret that signs console sessions and form tokens, 32 characters or more; replicas behind one
         * address need the same. Absent: a random one per process (sessions end when it restarts).
         */
        Optional<String> sessionSecret();

        /** How long a console session lasts after sign-in. */
        @WithDefault("PT8H")
        Duration sessionLength();

        /** How many rows a page of the console shows. */
        @WithDefault("50")
        int pageSize();

        /**
         * A link to a request's trace, shown on its page: {@code {request_id}} and {@code {instance_id}} are
         * replaced (for example a Grafana Explore URL searching the trace by its request_id attribute).
         */
        Optional<String> traceLink();

        /** A link to a request's log lines, shown on its page, with the same placeholders. */
        Optional<String> logLink();
    }

    interface Access {
        /**
         * The API key file: one line per key, {@code sha256:<hex of the key's SHA-256> <caller> <role>[,<role>]}.
         * Absent: no API key is accepted.
         */
        Optional<java.nio.file.Path> apiKeysFile();

        /** Whether bearer JWTs are accepted (a verification key or JWKS location is configured). */
        Optional<String> jwtKeyLocation();

        /** The restore policy file (YAML). Absent: every project and instance may be restored. */
        Optional<java.nio.file.Path> policyFile();

        /** How often the key file and the policy file are checked for changes. */
        @WithDefault("PT5S")
        Duration reloadInterval();
    }

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

        /** Value of the X-Language header: en-us or zh-cn. */
        @WithDefault("en-us")
        String language();

        /** Time allowed to open a connection to the API. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Time allowed for the API to answer once the request was sent. */
        @WithDefault("PT30S")
        Duration readTimeout();

        /**
         * Connections kept open to the cloud's endpoint: calls beyond it wait for a connection, so it bounds how
         * many calls are in the air at once (at least RESTORE_MAX_IN_FLIGHT plus the job polls).
         */
        @WithDefault("50")
        int connectionPoolSize();

        /** A PEM file of extra CA certificates to trust besides the JVM's (certificate checks stay on). */
        Optional<java.nio.file.Path> caBundle();
    }

    /** Credentials for the cloud; which ones are set chooses the mode. Each secret may also come from a file. */
    interface Auth {
        /** A fixed IAM token (GAUSSDB_AUTH_TOKEN). */
        Optional<String> token();

        /** A file holding the fixed token (GAUSSDB_AUTH_TOKEN_FILE). */
        Optional<java.nio.file.Path> tokenFile();

        /** IAM endpoint, e.g. https://iam.myhuaweicloud.com (IAM_ENDPOINT). */
        Optional<String> iamEndpoint();

        /** The IAM user's account (domain) name (IAM_DOMAIN_NAME). */
        Optional<String> iamDomainName();

        /** The IAM user (IAM_USER_NAME). */
        Optional<String> iamUserName();

        /** The IAM user's password (IAM_PASSWORD). */
        Optional<String> iamPassword();

        /** A file holding the IAM password (IAM_PASSWORD_FILE). */
        Optional<java.nio.file.Path> iamPasswordFile();

        /** The project the token is scoped to, e.g. cn-north-4 (IAM_PROJECT_NAME). */
        Optional<String> iamProjectName();

        /** An agency to assume on top of the token (IAM_AGENCY_NAME). */
        Optional<String> iamAgencyName();

        /** The account that owns the agency, by name (IAM_AGENCY_DOMAIN_NAME). */
        Optional<String> iamAgencyDomainName();

        /** The account that owns the agency, by id (IAM_AGENCY_DOMAIN_ID). */
        Optional<String> iamAgencyDomainId();

        /** Access key id (HUAWEICLOUD_SDK_AK). */
        Optional<String> accessKey();

        /** Secret access key (HUAWEICLOUD_SDK_SK). */
        Optional<String> secretKey();

        /** A file holding the secret access key (HUAWEICLOUD_SDK_SK_FILE). */
        Optional<java.nio.file.Path> secretKeyFile();

        /** Security token of a temporary access key (HUAWEICLOUD_SDK_SECURITY_TOKEN). */
        Optional<String> securityToken();

        /** Accept an http:// IAM endpoint (the local profile and tests only: it sends the password in clear). */
        @WithDefault("false")
        boolean plainHttpIam();

        /** Share of a token's lifetime after which it is renewed in the background. */
        @WithDefault("0.75")
        double renewAtFraction();
    }

    interface Retry {
        /** How long a request may keep trying; then it is FAILED with its last error and retryable=true. */
        @WithDefault("PT30M")
        Duration deadline();

        /** Wait after a POST without an answer before the instance is looked at to decide what happened. */
        @WithDefault("PT10S")
        Duration ambiguousGrace();

        /** Base of the exponential backoff between attempts. */
        @WithDefault("PT0.3S")
        Duration initialBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("PT60S")
        Duration maxBackoff();
    }

    interface Throttling {
        /** Restore POSTs per minute per project, for the whole deployment (all replicas share the budget). */
        @WithDefault("300")
        double ratePerMinute();

        /**
         * Calls per minute per project of each reading API (job polls, instance looks, restore-time reads), each
         * with a budget of its own as the gateway throttles each API separately; by default the restore rate.
         */
        java.util.Optional<Double> readRatePerMinute();

        /** Calls that may go at once after a quiet period. */
        @WithDefault("20")
        double burst();

        /** The lowest rate a 429 can push the budget down to. */
        @WithDefault("6")
        double floorPerMinute();

        /** Requests processed at once across instances (one at a time per instance). */
        @WithDefault("16")
        int maxInFlight();

        /** Consecutive failed calls (no answer or 5xx) after which no new request is taken from the topic. */
        @WithDefault("5")
        int circuitFailureThreshold();

        /** How long the circuit stays open before one request probes the cloud again. */
        @WithDefault("PT15S")
        Duration circuitOpenFor();
    }

    interface Results {
        /** The CloudEvents source of result events. */
        @WithDefault("/gaussdb-restore-service")
        String source();

        /** How long publishing a result is retried while the broker does not acknowledge it. */
        @WithDefault("PT10M")
        Duration publishDeadline();
    }

    interface Ledger {
        /** JDBC URL of the ledger: jdbc:h2:file:... (embedded, one replica) or jdbc:postgresql://... (several). */
        @WithDefault("jdbc:h2:file:./restore-ledger/ledger;DB_CLOSE_ON_EXIT=FALSE")
        String jdbcUrl();

        /** Database user. */
        Optional<String> username();

        /** Database password. */
        Optional<String> password();

        /** How long a request_id and a business key are remembered (the de-duplication window). */
        @WithDefault("P7D")
        Duration window();

        /** How long a request being submitted is protected; an expired lease after a crash means UNKNOWN. */
        @WithDefault("PT2M")
        Duration lease();

        /** Connections in the pool. */
        @WithDefault("8")
        int poolSize();

        /** How often entries older than the window are purged. */
        @WithDefault("PT10M")
        Duration purgeInterval();

        /** How often the ledger is searched for requests whose record will not come back to finish them. */
        @WithDefault("PT1M")
        Duration orphanSweepInterval();

        /** Rows deleted per purge statement, so that a purge never holds the store for long. */
        @WithDefault("1000")
        int purgeBatch();

        /**
         * How long a record is retried while the ledger's store is unreachable; after that it goes to the
         * dead-letter topic with the reason. Failures that would repeat (data errors) are dead-lettered at once.
         */
        @WithDefault("PT10M")
        Duration transientRetryDeadline();
    }

    interface Queue {
        /**
         * How long a request may wait for its instance before it ends FAILED (QUEUE_TIMEOUT). A day: restores of
         * large tables run for hours, and a request still waiting after a day needs a person to decide again.
         */
        @WithDefault("PT24H")
        Duration deadline();

        /** How often an instance busy with something that is not a restore of ours is looked at again. */
        @WithDefault("PT30S")
        Duration checkInterval();

        /** How often the lines are looked at for requests that may go. */
        @WithDefault("PT1S")
        Duration tick();

        /** Most instances released or checked in one tick. */
        @WithDefault("50")
        int batch();
    }

    interface Tracking {
        /** Poll submitted jobs until they end. */
        @WithDefault("true")
        boolean enabled();

        /** Time between two polls of one job. */
        @WithDefault("PT10S")
        Duration interval();

        /** Random spread of the interval, as a share of it (0.2 means plus or minus 20%). */
        @WithDefault("0.2")
        double jitter();

        /** Wait before the first poll of a new job. */
        @WithDefault("PT5S")
        Duration firstPollDelay();

        /** How long a new job may answer DBS.200543 "The job does not exist" before it counts as vanished. */
        @WithDefault("PT1M")
        Duration notFoundGrace();

        /** How long a job is followed before tracking gives up with UNKNOWN. */
        @WithDefault("PT6H")
        Duration deadline();

        /** How long one tracker holds a job it polls; another replica takes over after a crash. */
        @WithDefault("PT1M")
        Duration lease();

        /** How often the tracker looks for jobs that are due (whole seconds; the scheduler's finest step is 1 s). */
        @WithDefault("PT1S")
        Duration tick();

        /** Most jobs polled in one tick. */
        @WithDefault("50")
        int batch();
    }
}
