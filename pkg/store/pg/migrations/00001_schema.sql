-- jgctl's PostgreSQL schema, version 1. Each invariant of the platform is a
-- primary key, a unique key or a check here; the Go code changes counters
-- only by conditional UPDATE. Text keys use the "C" collation so that
-- listings page in byte order, as on bbolt, whatever the database's locale.

-- +goose Up
CREATE TABLE licences (
    id_number text COLLATE "C" PRIMARY KEY,
    doc       jsonb NOT NULL
);

CREATE TABLE vehicles (
    plate           text COLLATE "C" NOT NULL,
    plate_type      text COLLATE "C" NOT NULL,
    owner_id_number text COLLATE "C" NOT NULL,
    doc             jsonb NOT NULL,
    PRIMARY KEY (plate, plate_type)
);
CREATE INDEX vehicles_owner ON vehicles (owner_id_number);

-- One registration per person and per unit: the primary keys.
CREATE TABLE persons (
    id_number text COLLATE "C" PRIMARY KEY,
    doc       jsonb NOT NULL
);
CREATE TABLE units (
    credit_code text COLLATE "C" PRIMARY KEY,
    doc         jsonb NOT NULL
);

-- Binding IDs are B%08d of binding_seq.
CREATE SEQUENCE binding_seq;
CREATE TABLE bindings (
    id         text COLLATE "C" PRIMARY KEY,
    id_number  text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    plate      text COLLATE "C" NOT NULL,
    plate_type text COLLATE "C" NOT NULL,
    own        boolean NOT NULL,
    doc        jsonb NOT NULL,
    -- A person binds a vehicle (or their licence) once.
    UNIQUE (id_number, kind, plate, plate_type)
);
CREATE INDEX bindings_vehicle ON bindings (plate, plate_type, id);

-- The binding limits as materialised counters, changed in the binding's
-- transaction by UPDATE … SET n = n + 1 WHERE … AND n < limit: the other
-- owners' vehicles a person has bound, and the non-owner drivers of a
-- vehicle (active and pending bindings both count).
CREATE TABLE binding_count_person (
    id_number text COLLATE "C" PRIMARY KEY,
    others    integer NOT NULL CHECK (others >= 0)
);
CREATE TABLE binding_count_vehicle (
    plate      text COLLATE "C" NOT NULL,
    plate_type text COLLATE "C" NOT NULL,
    drivers    integer NOT NULL CHECK (drivers >= 0),
    PRIMARY KEY (plate, plate_type)
);

-- One record per record number (primary key), one record per decision
-- number (unique; NULL while undecided). doc is the whole rules.Violation;
-- the columns beside it are what listings select on.
CREATE SEQUENCE decision_seq;
CREATE TABLE violations (
    record_no        text COLLATE "C" PRIMARY KEY,
    plate            text COLLATE "C" NOT NULL,
    plate_type       text COLLATE "C" NOT NULL,
    status           text COLLATE "C" NOT NULL,
    decision_no      text COLLATE "C" UNIQUE,
    driver_id_number text COLLATE "C",
    occurred_at      timestamptz NOT NULL,
    pending_until    timestamptz,
    doc              jsonb NOT NULL
);
CREATE INDEX violations_plate ON violations (plate, plate_type, record_no);
CREATE INDEX violations_driver ON violations (driver_id_number, record_no);
CREATE INDEX violations_status ON violations (status, record_no);
CREATE INDEX violations_pending ON violations (pending_until, record_no);

-- Payment orders; IDs are O%010d of order_seq.
CREATE SEQUENCE order_seq;
CREATE TABLE orders (
    id          text COLLATE "C" PRIMARY KEY,
    decision_no text COLLATE "C" NOT NULL,
    doc         jsonb NOT NULL
);
CREATE INDEX orders_decision ON orders (decision_no);

-- One payment per decision: the primary key. A payment makes its decided
-- record read as paid until a sweep folds it into the record.
CREATE TABLE payments (
    decision_no text COLLATE "C" PRIMARY KEY,
    record_no   text COLLATE "C" NOT NULL,
    doc         jsonb NOT NULL
);

-- Cross-replica claims on a decision's payment (before the gateway is
-- called): one row per decision, held by order_id until claimed_until;
-- taken by a conditional INSERT or UPDATE (free or expired), released by a
-- DELETE that matches the holder. previous_order is the order whose
-- expired claim was taken over.
CREATE TABLE payment_claims (
    decision_no    text COLLATE "C" PRIMARY KEY,
    order_id       text NOT NULL,
    claimed_until  timestamptz NOT NULL,
    previous_order text NOT NULL DEFAULT ''
);

-- Idempotency keys: (scope, key) unique. The key row is inserted (with the
-- request's hash, response NULL) when a request first looks it up, so a
-- concurrent duplicate waits for it and then replays the stored response.
CREATE TABLE idempotency (
    scope    text COLLATE "C" NOT NULL,
    key      text COLLATE "C" NOT NULL,
    hash     text NOT NULL,
    response bytea,
    PRIMARY KEY (scope, key)
);

CREATE TABLE credentials (
    id_number text COLLATE "C" PRIMARY KEY,
    hash      text NOT NULL
);

-- Bearer tokens by their SHA-256 (the token itself is never stored).
CREATE TABLE tokens (
    hash bytea PRIMARY KEY,
    doc  jsonb NOT NULL
);

CREATE SEQUENCE audit_seq;
CREATE TABLE audit (
    seq bigint PRIMARY KEY DEFAULT nextval('audit_seq'),
    doc jsonb NOT NULL
);
CREATE SEQUENCE outbox_seq;
CREATE TABLE outbox (
    seq bigint PRIMARY KEY DEFAULT nextval('outbox_seq'),
    doc jsonb NOT NULL
);

-- +goose Down
DROP TABLE outbox, audit, tokens, credentials, idempotency, payment_claims, payments, orders, violations,
    binding_count_vehicle, binding_count_person, bindings, units, persons, vehicles, licences;
DROP SEQUENCE outbox_seq, audit_seq, order_seq, decision_seq, binding_seq;
