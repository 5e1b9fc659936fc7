-- Requests waiting for their instance: their order per instance, what they wait for, and until when.
ALTER TABLE restore_request ADD COLUMN queue_position BIGINT;
ALTER TABLE restore_request ADD COLUMN queued_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE restore_request ADD COLUMN queue_place INTEGER;
ALTER TABLE restore_request ADD COLUMN waiting_for VARCHAR(512);
ALTER TABLE restore_request ADD COLUMN queue_check_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE restore_request ADD COLUMN queue_deadline TIMESTAMP WITH TIME ZONE;
CREATE INDEX restore_request_instance_state ON restore_request (instance_id, state, queue_position);
