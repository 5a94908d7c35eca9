// Package codec is the compact binary encoding of violation records that
// both stores keep: about ten times faster to decode than JSON and half
// its size.
package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// Violation records are the one high-volume value, so they are stored in a
// compact binary layout instead of JSON. Layout, version 1:
//
//	byte    version (1)
//	string  record_no, plate, plate_type, location, code, description,
//	        source, status, decision_no, driver_id_number, payment_id
//	varint  occurred_at, pending_until, paid_at (Unix nanoseconds; 0 = unset)
//	varint  fine (fen), points, served_on (days, 0 = unset)
//	uvarint number of suspensions, then from/to (days) of each
//
// Strings are a uvarint length and the bytes. Every time decodes in China
// time. A new field means a new version byte; decoders keep reading the
// old versions.
const violationCodecV1 = 1

var errCodec = errors.New("store: corrupt violation record")

// maxSize bounds a record DecodeViolation copies, far above any
// EncodeViolation writes: damaged storage can claim gigabytes.
const maxSize = 1 << 26

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func dateDays(d rules.Date) int64 {
	if d.IsZero() {
		return 0
	}
	return int64(d.DaysSince(epoch)) + 1
}

var epoch = rules.NewDate(1970, 1, 1)

func daysDate(n int64) rules.Date {
	if n == 0 {
		return rules.Date{}
	}
	return epoch.AddDays(int(n - 1))
}

// errKeyPart refuses a record whose indexed fields hold a 0 byte: the
// separator of the bbolt store's index keys, and not text to PostgreSQL.
var errKeyPart = errors.New("store: a record number, plate, plate type, status, decision or driver holds a 0 byte")

// EncodeViolation returns the stored encoding of a record.
func EncodeViolation(v *rules.Violation) ([]byte, error) {
	if strings.IndexByte(v.RecordNo+v.Plate+string(v.PlateType)+string(v.Status)+v.DecisionNo+v.DriverIDNumber, 0) >= 0 {
		return nil, errKeyPart
	}
	b := make([]byte, 0, 128+len(v.Location)+len(v.Description))
	b = append(b, violationCodecV1)
	for _, s := range []string{v.RecordNo, v.Plate, string(v.PlateType), v.Location, v.Code, v.Description,
		string(v.Source), string(v.Status), v.DecisionNo, v.DriverIDNumber, v.PaymentID} {
		b = appendString(b, s)
	}
	for _, t := range []time.Time{v.OccurredAt, v.PendingUntil, v.PaidAt} {
		b = binary.AppendVarint(b, unixNano(t))
	}
	b = binary.AppendVarint(b, v.Fine.FenValue())
	b = binary.AppendVarint(b, int64(v.Points))
	b = binary.AppendVarint(b, dateDays(v.ServedOn))
	b = binary.AppendUvarint(b, uint64(len(v.Suspensions)))
	for _, s := range v.Suspensions {
		b = binary.AppendVarint(b, dateDays(s.From))
		b = binary.AppendVarint(b, dateDays(s.To))
	}
	return b, nil
}

// decoder reads b, the unread tail of a record whose bytes s holds as one
// string: every string field is a slice of s, so a record costs one
// allocation for all its strings.
type decoder struct {
	b   []byte
	s   string
	err error
}

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.err = errCodec
		d.b = nil
		return ""
	}
	off := len(d.s) - len(d.b) + k
	d.b = d.b[k+int(n):]
	return d.s[off : off+int(n)]
}

func (d *decoder) int() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = errCodec
		d.b = nil
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) time() time.Time {
	n := d.int()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).In(rules.China)
}

// DecodeViolation decodes a stored record (it copies every byte it keeps).
func DecodeViolation(raw []byte, v *rules.Violation) error {
	if len(raw) == 0 || raw[0] != violationCodecV1 || len(raw) > maxSize {
		return fmt.Errorf("%w: unknown version", errCodec)
	}
	d := decoder{b: raw[1:], s: string(raw)}
	*v = rules.Violation{
		RecordNo: d.str(), Plate: d.str(), PlateType: rules.PlateType(d.str()), Location: d.str(), Code: d.str(),
		Description: d.str(), Source: rules.Source(d.str()), Status: rules.Status(d.str()), DecisionNo: d.str(),
		DriverIDNumber: d.str(), PaymentID: d.str(),
	}
	v.OccurredAt, v.PendingUntil, v.PaidAt = d.time(), d.time(), d.time()
	v.Fine = rules.Fen(d.int())
	v.Points = int(d.int())
	v.ServedOn = daysDate(d.int())
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) {
		return errCodec
	}
	d.b = d.b[k:]
	for range n {
		v.Suspensions = append(v.Suspensions, rules.Suspension{From: daysDate(d.int()), To: daysDate(d.int())})
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", errCodec, len(d.b))
	}
	return nil
}
