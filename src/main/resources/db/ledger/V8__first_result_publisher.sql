-- Whoever publishes a request's first result holds it for a short while: a second replica handed the same record
-- by a rebalance waits for it to be published instead of publishing it as well. After a crash the hold lapses and
-- the record's next owner publishes it (the same bytes, kept in first_result_json).
ALTER TABLE restore_request ADD COLUMN first_publisher VARCHAR(64);
ALTER TABLE restore_request ADD COLUMN first_publish_until TIMESTAMP WITH TIME ZONE;
