-- Job tracking: when a submitted job is polled next, by whom (a lease), and the last event still to publish.
ALTER TABLE restore_request ADD COLUMN job_status VARCHAR(32);
ALTER TABLE restore_request ADD COLUMN next_poll_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE restore_request ADD COLUMN polls INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE restore_request ADD COLUMN tracker_owner VARCHAR(64);
ALTER TABLE restore_request ADD COLUMN tracker_lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE restore_request ADD COLUMN track_event_id VARCHAR(64);
ALTER TABLE restore_request ADD COLUMN track_event_published BOOLEAN DEFAULT TRUE NOT NULL;
CREATE INDEX restore_request_tracking ON restore_request (state, next_poll_at);
