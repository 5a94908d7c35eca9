package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/internal/ingest"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Required columns of each import kind (docs/import-formats.md).
var importColumns = map[api.ImportKind][]string{
	api.ImportLicences:   {"id_number", "name", "file_no", "classes", "first_issued_on", "valid_until", "status"},
	api.ImportVehicles:   {"plate", "plate_type", "owner_id_number", "owner_name"},
	api.ImportViolations: {"record_no", "plate", "plate_type", "occurred_at", "code", "fine", "points", "source"},
}

const (
	defaultChunk  = 8192
	maxChunk      = 100000
	maxRejectList = 1000
	// readGrace is how long an interrupted import waits for a read.
	readGrace = time.Second
)

// Import streams an import file into the store: each row is validated,
// rejects are reported with line number and reason (to onReject, and the
// first 1000 in the result), and rows are written in chunks, each one
// transaction. Re-importing violation records skips record numbers that
// exist; licences and vehicles are updated in place.
//
// When the file turns out damaged partway, or ctx is cancelled, Import
// returns the result of the chunks committed so far, with StoppedAtLine
// and CommittedThroughLine set, and an error that says the same.
func (s *Service) Import(ctx context.Context, a api.Actor, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	if err := core.RequireStaff(a); err != nil {
		return nil, err
	}
	cols, ok := importColumns[r.Kind]
	if !ok {
		return nil, rules.ErrImportKind
	}
	enc, ok := ingest.ParseEncoding(r.Encoding)
	if !ok {
		return nil, rules.ErrImportEncoding.Withf("got %q", r.Encoding)
	}
	chunk := r.ChunkSize
	if chunk < 0 || chunk > maxChunk {
		return nil, rules.ErrImportChunk.Withf("got %d", chunk)
	}
	if chunk == 0 {
		chunk = defaultChunk
	}
	rd, err := ingest.NewReader(data, ingest.Config{Format: ingest.Format(r.Format), Encoding: enc, Required: cols})
	if err != nil {
		var mc *ingest.MissingColumnsError
		if errors.As(err, &mc) {
			return nil, rules.ErrImportMissingColumns.WithField(strings.Join(mc.Columns, ",")).Withf("%s", strings.Join(mc.Columns, ", "))
		}
		var fe *ingest.FileError
		if errors.As(err, &fe) {
			return nil, atLine(fe)
		}
		return nil, err
	}
	res := &api.ImportResult{Kind: r.Kind, Rejects: []api.Reject{}}
	reject := func(line int, err error) {
		rj := api.Reject{Line: line, Code: rules.ErrImportBadRow.Code, Reason: err.Error()}
		var re *rules.Error
		if errors.As(err, &re) {
			rj.Field, rj.Code, rj.Reason, rj.ReasonZH = re.Field, re.Code, re.EN, re.ZH
		}
		res.Rejected++
		if len(res.Rejects) < maxRejectList {
			res.Rejects = append(res.Rejects, rj)
		} else {
			res.RejectsTruncated = true
		}
		if onReject != nil {
			onReject(rj)
		}
	}
	now := s.Now()
	p := &rowParser{today: rules.DateOf(now), now: now, codes: s.Codes, prepare: s.Store.Prepare}
	// The parser runs ahead of the writer by one chunk.
	type batch struct {
		lics  []rules.Licence
		vehs  []rules.Vehicle
		viols []store.NewViolation
		bad   []lineErr
		rows  int
		first int // line of the first row
		last  int // line of the last row
	}
	batches := make(chan batch, 1)
	readErr := make(chan error, 1)
	var reached atomic.Int64 // the line after the last row read (1 before any)
	reached.Store(1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parsed := make(chan struct{}) // closed when the parser stops reading
	go func() {
		defer close(parsed)
		defer close(batches)
		var b batch
		for {
			if err := ctx.Err(); err != nil {
				readErr <- err
				return
			}
			row, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr <- err
				return
			}
			reached.Store(int64(row.Line) + 1)
			if b.rows++; b.rows == 1 {
				b.first = row.Line
			}
			b.last = row.Line
			if row.Err != nil {
				b.bad = append(b.bad, lineErr{row.Line, row.Err})
			} else if err := p.parse(r.Kind, &row, &b.lics, &b.vehs, &b.viols); err != nil {
				b.bad = append(b.bad, lineErr{row.Line, err})
			}
			if b.rows >= chunk {
				select {
				case batches <- b:
				case <-ctx.Done():
					readErr <- ctx.Err()
					return
				}
				b = batch{}
			}
		}
		if b.rows > 0 {
			select {
			case batches <- b:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
		readErr <- nil
	}()
	// stop fills in where the import stopped, and the error that says so.
	through := 0 // the last line of the last committed chunk
	stop := func(line int, why *rules.Error) error {
		res.StoppedAtLine, res.CommittedThroughLine = line, through
		n := res.Inserted + res.Updated
		c := *why
		c.EN = fmt.Sprintf("%s; %d rows committed, stopped at line %d", why.EN, n, line)
		c.ZH = fmt.Sprintf("%s；已提交 %d 行，停在第 %d 行", why.ZH, n, line)
		return &c
	}
	interrupted := func() error { return stop(int(reached.Load()), rules.ErrImportInterrupted) }
	for {
		var b batch
		var more bool
		// A chunk parsed before the interruption is committed first: what
		// an interruption leaves does not depend on timing.
		select {
		case b, more = <-batches:
		default:
			select {
			case b, more = <-batches:
			case <-ctx.Done():
				// Let the parser stop reading data, which the caller may close
				// (an HTTP body must not be read after its handler returns),
				// unless it is stuck in a read, as on a terminal.
				select {
				case <-parsed:
				case <-time.After(readGrace):
				}
				return res, interrupted()
			}
		}
		if !more {
			break
		}
		res.Rows += b.rows
		for _, le := range b.bad {
			reject(le.line, le.err)
		}
		var refused []store.Refused
		var ins, upd int
		err := s.Store.Update(ctx, func(tx store.Tx) (err error) {
			// This may run more than once (group commit): assign, never add.
			switch r.Kind {
			case api.ImportLicences:
				ins, upd, err = putLicences(tx, b.lics)
			case api.ImportVehicles:
				ins, upd, err = putVehicles(tx, b.vehs)
			case api.ImportViolations:
				ins, refused, err = tx.InsertViolations(b.viols)
			}
			return err
		})
		if err != nil {
			res.StoppedAtLine, res.CommittedThroughLine = b.first, through
			cancel()
			for range batches { // let the parser stop
			}
			return res, err
		}
		through = b.last
		res.Inserted += ins
		res.Updated += upd
		for _, rf := range refused {
			if errors.Is(rf.Err, rules.ErrDuplicateRecord) {
				res.Duplicates++
				continue
			}
			reject(rf.Line, rf.Err)
		}
	}
	if err := <-readErr; err != nil {
		var fe *ingest.FileError
		switch {
		case ctx.Err() != nil: // a read may fail because of the cancellation
			return res, interrupted()
		case errors.As(err, &fe):
			return res, stop(fe.Line, fe.Err)
		}
		return res, err
	}
	return res, s.Store.Update(ctx, func(tx store.Tx) error {
		return s.Audit(tx, a, "import_"+string(r.Kind), "", strconv.Itoa(res.Inserted)+" inserted, "+strconv.Itoa(res.Rejected)+" rejected")
	})
}

// atLine is the error of a file that cannot be read from its start.
func atLine(fe *ingest.FileError) *rules.Error {
	c := *fe.Err
	c.EN = fmt.Sprintf("line %d: %s", fe.Line, c.EN)
	c.ZH = fmt.Sprintf("第 %d 行：%s", fe.Line, c.ZH)
	return &c
}

type lineErr struct {
	line int
	err  error
}

// upsert writes items, each after loading its previous version, and counts
// inserts and updates.
func upsert[T any](items []T, load func(*T) (*T, error), put func(item, old *T) error) (ins, upd int, err error) {
	for i := range items {
		old, err := load(&items[i])
		if err != nil {
			return 0, 0, err
		}
		if err := put(&items[i], old); err != nil {
			return 0, 0, err
		}
		if old == nil {
			ins++
		} else {
			upd++
		}
	}
	return ins, upd, nil
}

func putLicences(tx store.Tx, ls []rules.Licence) (ins, upd int, err error) {
	return upsert(ls, func(l *rules.Licence) (*rules.Licence, error) { return tx.Licence(l.IDNumber) },
		func(l, _ *rules.Licence) error { return tx.PutLicence(l) })
}

func putVehicles(tx store.Tx, vs []rules.Vehicle) (ins, upd int, err error) {
	return upsert(vs, func(v *rules.Vehicle) (*rules.Vehicle, error) { return tx.Vehicle(v.Plate, v.PlateType) },
		func(v, _ *rules.Vehicle) error { return tx.PutVehicle(v) })
}

// rowParser turns import rows into records, validating every field.
type rowParser struct {
	today   rules.Date
	now     time.Time
	codes   rules.CodeBook
	prepare func(v *rules.Violation, line int) (store.NewViolation, error) // the store's, beside the reader
}

func (p *rowParser) parse(k api.ImportKind, row *ingest.Row, lics *[]rules.Licence, vehs *[]rules.Vehicle, viols *[]store.NewViolation) error {
	switch k {
	case api.ImportLicences:
		l, err := p.licence(row)
		if err == nil {
			*lics = append(*lics, l)
		}
		return err
	case api.ImportVehicles:
		v, err := p.vehicle(row)
		if err == nil {
			*vehs = append(*vehs, v)
		}
		return err
	default:
		v, err := p.violation(row)
		if err != nil {
			return err
		}
		nv, err := p.prepare(&v, row.Line)
		if err != nil {
			return err
		}
		*viols = append(*viols, nv)
		return nil
	}
}

func field(err error, name string) error {
	var re *rules.Error
	if errors.As(err, &re) {
		return re.WithField(name)
	}
	return rules.ErrImportBadValue.WithField(name).Withf("%v", err)
}

func required(row *ingest.Row, name string) (string, error) {
	v := row.Get(name)
	if v == "" {
		return "", rules.ErrImportFieldRequired.WithField(name).Withf("%s", name)
	}
	return v, nil
}

// Dates before these cannot be true (docs/import-formats.md): the earliest
// licence issue or vehicle registration, and the earliest violation record.
var (
	earliestIssue  = rules.NewDate(1950, time.January, 1)
	earliestRecord = rules.NewDate(1990, time.January, 1)
)

// dateIn reads an optional date that must lie in [from, to].
func dateIn(row *ingest.Row, name string, need bool, from, to rules.Date) (rules.Date, error) {
	d, err := date(row, name, need)
	switch {
	case err != nil || d.IsZero():
		return d, err
	case d.Before(from):
		return d, rules.ErrDateTooEarly.WithField(name).Withf("%s is before %s", d, from)
	case d.After(to):
		return d, rules.ErrDateInFuture.WithField(name).Withf("%s is after today, %s", d, to)
	}
	return d, nil
}

func date(row *ingest.Row, name string, need bool) (rules.Date, error) {
	s := row.Get(name)
	if s == "" {
		if need {
			return rules.Date{}, rules.ErrImportFieldRequired.WithField(name).Withf("%s", name)
		}
		return rules.Date{}, nil
	}
	d, err := rules.ParseDate(s)
	if err != nil {
		return rules.Date{}, rules.ErrDateFormat.WithField(name).Withf("%q", s)
	}
	return d, nil
}

var licenceClass = regexp.MustCompile(`^(A1|A2|A3|B1|B2|C1|C2|C3|C4|C5|C6|D|E|F|M|N|P)+$`)

func (p *rowParser) licence(row *ingest.Row) (rules.Licence, error) {
	var l rules.Licence
	id, err := rules.ParseIDNumber(row.Get("id_number"), p.today)
	if err != nil {
		return l, err
	}
	l.IDNumber = id.Number
	if l.Name, err = required(row, "name"); err != nil {
		return l, err
	}
	if l.FileNo, err = rules.ParseLicenceFileNo(row.Get("file_no")); err != nil {
		return l, err
	}
	l.Classes = strings.ToUpper(strings.NewReplacer(",", "", " ", "", "/", "").Replace(row.Get("classes")))
	if !licenceClass.MatchString(l.Classes) {
		return l, rules.ErrLicenceClass.Withf("got %q", row.Get("classes"))
	}
	if l.FirstIssuedOn, err = dateIn(row, "first_issued_on", true, earliestIssue, p.today); err != nil {
		return l, err
	}
	if s := row.Get("valid_until"); s != "长期" && !strings.EqualFold(s, "permanent") {
		if l.ValidUntil, err = date(row, "valid_until", false); err != nil {
			return l, err
		}
		if !l.ValidUntil.IsZero() && l.ValidUntil.Before(l.FirstIssuedOn) {
			return l, rules.ErrValidityRange.Withf("%s is before %s", l.ValidUntil, l.FirstIssuedOn)
		}
	}
	if l.Status, err = rules.ParseLicenceStatus(row.Get("status")); err != nil {
		return l, err
	}
	if s := row.Get("phone"); s != "" {
		if l.Phone, err = rules.ParseMobile(s); err != nil {
			return l, err
		}
	}
	return l, nil
}

var vinPattern = regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)

func (p *rowParser) vehicle(row *ingest.Row) (rules.Vehicle, error) {
	var v rules.Vehicle
	var err error
	if v.PlateType, err = rules.ParsePlateType(row.Get("plate_type")); err != nil {
		return v, err
	}
	if v.Plate, err = rules.CheckPlate(row.Get("plate"), v.PlateType); err != nil {
		return v, err
	}
	owner := row.Get("owner_id_number")
	if id, err := rules.ParseIDNumber(owner, p.today); err == nil {
		v.OwnerIDNumber = id.Number
	} else if code, cerr := rules.ParseCreditCode(owner); cerr == nil {
		v.OwnerIDNumber = code
	} else {
		return v, field(err, "owner_id_number")
	}
	if v.OwnerName, err = required(row, "owner_name"); err != nil {
		return v, err
	}
	if s := strings.ToUpper(row.Get("vin")); s != "" {
		if !vinPattern.MatchString(s) {
			return v, rules.ErrVINFormat
		}
		v.VIN = s
	}
	if v.RegisteredOn, err = dateIn(row, "registered_on", false, earliestIssue, p.today); err != nil {
		return v, err
	}
	return v, nil
}

var recordNoPattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,32}$`)

// parseTime accepts RFC 3339, or "YYYY-MM-DD HH:MM[:SS]" in China time.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateTime, "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, rules.China); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

func (p *rowParser) violation(row *ingest.Row) (rules.Violation, error) {
	var v rules.Violation
	var err error
	v.RecordNo = row.Get("record_no")
	if !recordNoPattern.MatchString(v.RecordNo) {
		return v, rules.ErrRecordNoFormat
	}
	if v.PlateType, err = rules.ParsePlateType(row.Get("plate_type")); err != nil {
		return v, err
	}
	if v.Plate, err = rules.CheckPlate(row.Get("plate"), v.PlateType); err != nil {
		return v, err
	}
	if v.OccurredAt, err = parseTime(row.Get("occurred_at")); err != nil {
		return v, rules.ErrTimeFormat.WithField("occurred_at").Withf("%q", row.Get("occurred_at"))
	}
	if v.OccurredAt.After(p.now) {
		return v, rules.ErrTimeInFuture
	}
	v.OccurredAt = v.OccurredAt.In(rules.China)
	if d := rules.DateOf(v.OccurredAt); d.Before(earliestRecord) {
		return v, rules.ErrDateTooEarly.WithField("occurred_at").Withf("%s is before %s", d, earliestRecord)
	}
	v.Location = row.Get("location")
	if v.Code, err = required(row, "code"); err != nil {
		return v, err
	}
	v.Description = row.Get("description")
	if v.Fine, err = rules.ParseMoney(row.Get("fine")); err != nil {
		return v, rules.ErrFineFormat.WithField("fine").Withf("%v", err)
	}
	if v.Points, err = strconv.Atoi(row.Get("points")); err != nil || !rules.ValidPoints(v.Points) {
		return v, rules.ErrPointsValue.Withf("got %q", row.Get("points"))
	}
	if err := p.codes.Check(v.Code, v.Points, v.Fine); err != nil {
		return v, err
	}
	if v.Description == "" {
		v.Description = p.codes.Description(v.Code)
	}
	if v.Source, err = rules.ParseSource(row.Get("source")); err != nil {
		return v, err
	}
	v.Status = rules.StatusUnhandled
	v.DecisionNo = row.Get("decision_no")
	if v.DecisionNo != "" {
		if !decisionNoPattern.MatchString(v.DecisionNo) {
			return v, rules.ErrDecisionNoFormat
		}
		if v.ServedOn, err = dateIn(row, "served_on", true, earliestRecord, p.today); err != nil {
			return v, err
		}
		if d := rules.DateOf(v.OccurredAt); v.ServedOn.Before(d) {
			return v, rules.ErrServedBeforeViolation.Withf("served %s, the violation was on %s", v.ServedOn, d)
		}
		v.Status = rules.StatusUnpaid
	} else if row.Get("served_on") != "" {
		return v, rules.ErrServedNoDecision
	}
	// A pending reconsideration or lawsuit (处罚法 §73) stops the late fee.
	if from, err := date(row, "suspended_from", false); err != nil {
		return v, err
	} else if !from.IsZero() {
		// Reconsideration or a lawsuit is against a decision already served.
		if !v.ServedOn.IsZero() && from.Before(v.ServedOn) {
			return v, rules.ErrSuspensionBeforeService
		}
		to, err := date(row, "suspended_to", false)
		if err != nil {
			return v, err
		}
		if !to.IsZero() && to.Before(from) {
			return v, rules.ErrSuspensionRange
		}
		v.Suspensions = []rules.Suspension{{From: from, To: to}}
	} else if row.Get("suspended_to") != "" {
		return v, rules.ErrSuspensionFromRequired
	}
	if s := row.Get("driver_id_number"); s != "" {
		id, err := rules.ParseIDNumber(s, p.today)
		if err != nil {
			return v, field(err, "driver_id_number")
		}
		v.DriverIDNumber = id.Number
	}
	return v, nil
}

var decisionNoPattern = regexp.MustCompile(`^\d{15,16}$`)
