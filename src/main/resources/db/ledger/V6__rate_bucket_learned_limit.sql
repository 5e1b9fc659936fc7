-- The limit a 429 stated, remembered with the bucket so that every replica stays under it: the rate does not
-- recover past it for a while, and no burst can fill the gateway's window beyond it.
ALTER TABLE rate_bucket ADD COLUMN ceiling_per_minute DOUBLE PRECISION DEFAULT 0 NOT NULL;
ALTER TABLE rate_bucket ADD COLUMN token_cap DOUBLE PRECISION DEFAULT 0 NOT NULL;
