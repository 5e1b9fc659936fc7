-- Each claim gets its own lease token, checked on every write, so a worker whose lease was taken over can change
-- nothing; and the first result is stored as published, so a republication is byte-identical.
ALTER TABLE restore_request ADD COLUMN lease_token VARCHAR(64);
ALTER TABLE restore_request ADD COLUMN first_result_json VARCHAR(1048576);
