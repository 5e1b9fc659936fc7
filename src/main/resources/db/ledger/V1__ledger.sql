-- The idempotency ledger: one row per request seen, and one claim per business key being restored.
-- Portable between H2 2.x and PostgreSQL.
CREATE TABLE restore_request (
    request_id             VARCHAR(256)     NOT NULL PRIMARY KEY,
    business_key           VARCHAR(80),
    project_id             VARCHAR(64),
    instance_id            VARCHAR(64),
    state                  VARCHAR(16)      NOT NULL,
    first_status           VARCHAR(16),
    first_result_id        VARCHAR(64)      NOT NULL,
    first_result_published BOOLEAN          DEFAULT FALSE NOT NULL,
    request_json           VARCHAR(1048576),
    requested_by           VARCHAR(1024),
    reason                 VARCHAR(1024),
    ticket                 VARCHAR(1024),
    job_id                 VARCHAR(128),
    attempts               INTEGER          DEFAULT 0 NOT NULL,
    error_code             VARCHAR(64),
    error_message          VARCHAR(4000),
    error_details          VARCHAR(1048576),
    http_status            INTEGER,
    retryable              BOOLEAN,
    duplicate_of           VARCHAR(256),
    progress               VARCHAR(16),
    source                 VARCHAR(512),
    lease_owner            VARCHAR(64),
    lease_until            TIMESTAMP WITH TIME ZONE,
    received_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    submitted_at           TIMESTAMP WITH TIME ZONE,
    finished_at            TIMESTAMP WITH TIME ZONE,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX restore_request_instance ON restore_request (instance_id, received_at);
CREATE INDEX restore_request_state ON restore_request (state, received_at);
CREATE INDEX restore_request_received ON restore_request (received_at);

CREATE TABLE business_key_claim (
    business_key VARCHAR(80)              NOT NULL PRIMARY KEY,
    request_id   VARCHAR(256)             NOT NULL,
    claimed_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
