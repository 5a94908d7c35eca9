package pg

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// session is one transaction's connection, with the statement methods of
// pgx.Tx. It saves round trips, which on loopback cost more than most
// statements: BEGIN is not sent on its own but with the transaction's
// first statement, the writes nothing waits for (later) go with the next
// statement or the COMMIT, and a transaction that sent nothing ends
// without a word to the server.
type session struct {
	conn *pgx.Conn
	// begin opens the transaction; it is sent with the first statement,
	// then cleared. Empty from the start for a view at READ COMMITTED:
	// each statement is then its own transaction, which sees what one
	// statement of a READ COMMITTED transaction would.
	begin string
	// open is set once begin went out: COMMIT or ROLLBACK must follow.
	open bool
	// pending holds the writes left for the next round trip.
	pending *pgx.Batch
}

// later queues a write whose result nothing waits for, to go with the
// next statement or the commit.
func (s *session) later(sql string, args ...any) {
	if s.pending == nil {
		s.pending = &pgx.Batch{}
	}
	s.pending.Queue(sql, args...)
}

// take returns what must precede the next statement (BEGIN, the pending
// writes) as a batch, or nil.
func (s *session) take() *pgx.Batch {
	var b *pgx.Batch
	if s.begin != "" {
		b = &pgx.Batch{}
		b.Queue(s.begin)
		s.begin, s.open = "", true
	}
	if p := s.pending; p != nil {
		s.pending = nil
		if b == nil {
			return p
		}
		b.QueuedQueries = append(b.QueuedQueries, p.QueuedQueries...)
	}
	return b
}

// send sends b after what must precede it, and returns b's results with
// the preceding ones consumed: an error of theirs is the results' error.
func (s *session) send(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	pre := s.take()
	if pre == nil {
		return s.conn.SendBatch(ctx, b)
	}
	n := pre.Len()
	pre.QueuedQueries = append(pre.QueuedQueries, b.QueuedQueries...)
	br := s.conn.SendBatch(ctx, pre)
	for range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return failedBatch{br, queuedError{err}}
		}
	}
	return br
}

// queuedError is the failure of a statement sent ahead of another (BEGIN,
// a queued write), reported as the other's: a serialization failure
// stays one, but its unique violation is not taken for the other
// statement's own.
type queuedError struct{ err error }

func (e queuedError) Error() string { return "an earlier write failed: " + pgMessage(e.err) }

func (e queuedError) Unwrap() error {
	if isUnique(e.err) {
		return nil
	}
	return e.err
}

// Exec runs a statement.
func (s *session) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if s.begin == "" && s.pending == nil {
		return s.conn.Exec(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br := s.send(ctx, b)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs a query.
func (s *session) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if s.begin == "" && s.pending == nil {
		return s.conn.Query(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br := s.send(ctx, b)
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query of at most one row.
func (s *session) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := s.Query(ctx, sql, args...)
	return row{rows, err}
}

// SendBatch sends a batch of statements in one round trip.
func (s *session) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return s.send(ctx, b)
}

// CopyFrom copies rows into a table (after what must precede it).
func (s *session) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if pre := s.take(); pre != nil {
		if err := s.conn.SendBatch(ctx, pre).Close(); err != nil {
			return 0, err
		}
	}
	return s.conn.CopyFrom(ctx, table, columns, src)
}

// commit sends the pending writes and COMMIT in one round trip; a
// transaction that never began sends nothing.
func (s *session) commit(ctx context.Context) error {
	switch {
	case s.begin != "" && s.pending == nil: // it never began
		s.begin = ""
		return nil
	case s.begin == "" && !s.open: // a view without a transaction block
		return nil
	}
	b := &pgx.Batch{}
	b.Queue("COMMIT")
	br := s.send(ctx, b)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback
	}
	if err == nil {
		s.open = false
	}
	return err
}

// rollback ends an open transaction; a connection it cannot clean is
// closed (the pool then drops it).
func (s *session) rollback(ctx context.Context) {
	if !s.open {
		return
	}
	if _, err := s.conn.Exec(ctx, "ROLLBACK"); err != nil {
		s.conn.Close(ctx)
	}
	s.open = false
}

// batchRows are the rows of a batch's last query: closing them, or
// reading past the last, closes the batch, as pgx's rows free the
// connection.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if err := r.br.Close(); r.err == nil {
		r.err = err
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// row is the first row of a query, as pgx.Conn.QueryRow gives it.
type row struct {
	rows pgx.Rows
	err  error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// failedBatch is the (closed) results of a batch whose preceding
// statements failed: every result is their error.
type failedBatch struct {
	pgx.BatchResults
	err error
}

func (f failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, f.err }
func (f failedBatch) Query() (pgx.Rows, error)         { return nil, f.err }
func (f failedBatch) QueryRow() pgx.Row                { return row{err: f.err} }
func (f failedBatch) Close() error                     { return f.err }
