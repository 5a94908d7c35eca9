package pg

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store/codec"
	"github.com/pressly/goose/v3"
)

// Records are stored in the bbolt store's binary encoding (pkg/store/codec)
// as bytea since schema version 3: a listing then costs the server no
// jsonb-to-text output and the client no JSON decoding, the bulk of a
// plate's listing. Migration 3 converts the JSON documents of version 2
// (and back).

// codecMigration is migration 3: violations.doc from jsonb to the binary
// encoding. It needs Go to encode, hence not an SQL file.
var codecMigration = goose.NewGoMigration(3,
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		return recode(ctx, tx, "bytea", "doc::text", "u.doc", func(raw []byte) ([]byte, error) {
			var v rules.Violation
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, err
			}
			return codec.EncodeViolation(&v)
		})
	}},
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		return recode(ctx, tx, "jsonb", "doc", "convert_from(u.doc, 'UTF8')::jsonb", func(raw []byte) ([]byte, error) {
			var v rules.Violation
			if err := codec.DecodeViolation(raw, &v); err != nil {
				return nil, err
			}
			doc, err := json.Marshal(&v)
			return withoutNUL(doc), err
		})
	}})

// withoutNUL replaces the 0 bytes of JSON text, which jsonb cannot hold
// (a record of schema 3 can), with U+FFFD: going down keeps every record,
// at the price of that character.
func withoutNUL(doc []byte) []byte {
	if !bytes.Contains(doc, []byte(`\u0000`)) {
		return doc
	}
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); i++ {
		switch {
		case doc[i] != '\\':
			out = append(out, doc[i])
		case bytes.HasPrefix(doc[i:], []byte(`\u0000`)):
			out = append(out, `\ufffd`...)
			i += len(`\u0000`) - 1
		default: // an escape: its next byte is not the start of one
			out = append(out, doc[i], doc[i+1])
			i++
		}
	}
	return out
}

// recode rewrites every record's doc as typ: read as read, converted by
// conv, written back from the bytea u.doc by write, in batches in record
// order. The old versions of the rows are left to (auto)vacuum.
func recode(ctx context.Context, tx *sql.Tx, typ, read, write string, conv func([]byte) ([]byte, error)) error {
	for _, ddl := range []string{"ALTER TABLE violations ADD COLUMN recoded " + typ, "ALTER TABLE violations ALTER COLUMN doc DROP NOT NULL"} {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
	}
	const batch = 5000
	for after := ""; ; {
		rows, err := tx.QueryContext(ctx, "SELECT record_no, "+read+" FROM violations WHERE record_no > $1 ORDER BY record_no LIMIT $2", after, batch)
		if err != nil {
			return err
		}
		var nos []string
		var docs [][]byte
		for rows.Next() {
			var no string
			var raw []byte
			if err := rows.Scan(&no, &raw); err != nil {
				rows.Close()
				return err
			}
			doc, err := conv(raw)
			if err != nil {
				rows.Close()
				return damaged("record %s does not decode: %v", no, err)
			}
			nos, docs = append(nos, no), append(docs, doc)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(nos) == 0 {
			break
		}
		// doc is cleared in the same row version: dropping the column
		// later does not rewrite the table, so the old documents would
		// otherwise stay in every row.
		if _, err := tx.ExecContext(ctx, "UPDATE violations v SET doc = NULL, recoded = "+write+
			" FROM unnest($1::text[], $2::bytea[]) AS u(record_no, doc) WHERE v.record_no = u.record_no", nos, docs); err != nil {
			return err
		}
		after = nos[len(nos)-1]
	}
	for _, ddl := range []string{"ALTER TABLE violations DROP COLUMN doc", "ALTER TABLE violations RENAME COLUMN recoded TO doc",
		"ALTER TABLE violations ALTER COLUMN doc SET NOT NULL"} {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
	}
	return nil
}
