-- How many attempts of its request hold a payment claim with an
-- idempotency key: a claim taken adds one (in the claim's transaction), a
-- release of a request that took nothing takes one back, and the key's row
-- goes only at 0 with no answer stored. The count is in the key's own row,
-- so the delete re-checks it under the row's lock at any isolation level.
-- An attempt whose outcome is unknown keeps its one: the key stays its
-- request's.

-- +goose Up
ALTER TABLE idempotency ADD COLUMN holders integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE idempotency DROP COLUMN holders;
