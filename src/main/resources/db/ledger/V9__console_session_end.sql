-- A console session ended by its owner before its time (sign-out). The cookie is signed and carries its own end;
-- this table is what every replica checks so that a copied cookie stops working at sign-out, not hours later.
-- A row is kept until the session would have ended by itself, then purged.
CREATE TABLE console_session_end (
    session_id VARCHAR(64) PRIMARY KEY,
    ended_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX console_session_end_expiry ON console_session_end (expires_at);
