-- The orphan sweep looks for requests left half-done long ago: given back, under a lapsed lease, or with a first
-- result never published. These indexes keep its look cheap on a large ledger.
CREATE INDEX restore_request_state_updated ON restore_request (state, updated_at);
CREATE INDEX restore_request_unpublished ON restore_request (first_result_published, updated_at);
