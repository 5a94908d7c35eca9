-- A payment writes its record's row: paid is set in the payment's
-- transaction, and a record update requires it unset (unless the record
-- was read as paid). So a payment and the expiry of its online handling,
-- which would otherwise write different rows, never both commit.

-- +goose Up
ALTER TABLE violations ADD COLUMN paid boolean NOT NULL DEFAULT false;
UPDATE violations SET paid = true WHERE decision_no IN (SELECT decision_no FROM payments);

-- +goose Down
ALTER TABLE violations DROP COLUMN paid;
