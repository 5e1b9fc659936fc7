-- Each place in an instance's line belongs to one request: two requests parked at the same moment (two replicas,
-- a rebalance) can no longer share a place and so be released together. Places are first renumbered per
-- instance in their order, so that a line made before this constraint keeps its order and breaks no tie twice.
CREATE TABLE queue_renumbering AS
    SELECT request_id, ROW_NUMBER() OVER (PARTITION BY instance_id ORDER BY queue_position, request_id) AS place
    FROM restore_request WHERE queue_position IS NOT NULL;
UPDATE restore_request SET queue_position = (SELECT n.place FROM queue_renumbering n
        WHERE n.request_id = restore_request.request_id)
    WHERE queue_position IS NOT NULL;
DROP TABLE queue_renumbering;
CREATE UNIQUE INDEX restore_request_queue_place ON restore_request (instance_id, queue_position);
