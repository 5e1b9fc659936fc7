-- The gateway throttles each API separately: one token bucket per project and operation (restore POSTs, job
-- polls, instance looks, restore-time reads), so that polls and looks never spend the restore POSTs' budget.
-- The per-project buckets of V3 go: what they had learnt is learnt again from the next 429.
CREATE TABLE rate_budget (
    project_id         VARCHAR(64)              NOT NULL,
    operation          VARCHAR(16)              NOT NULL,
    tokens             DOUBLE PRECISION         NOT NULL,
    rate_per_minute    DOUBLE PRECISION         NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    last_throttled_at  TIMESTAMP WITH TIME ZONE,
    ceiling_per_minute DOUBLE PRECISION DEFAULT 0 NOT NULL,
    token_cap          DOUBLE PRECISION DEFAULT 0 NOT NULL,
    PRIMARY KEY (project_id, operation)
);
DROP TABLE rate_bucket;
