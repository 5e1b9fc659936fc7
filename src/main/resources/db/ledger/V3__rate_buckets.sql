-- One token bucket per project, shared by every replica: the deployment's rate budget against the cloud.
CREATE TABLE rate_bucket (
    project_id        VARCHAR(64)              NOT NULL PRIMARY KEY,
    tokens            DOUBLE PRECISION         NOT NULL,
    rate_per_minute   DOUBLE PRECISION         NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    last_throttled_at TIMESTAMP WITH TIME ZONE
);
