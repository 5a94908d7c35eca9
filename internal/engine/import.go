package engine

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
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
	maxRejectList = 1000
)

// Import streams an import file into the store: each row is validated,
// rejects are reported with line number and reason (to onReject, and the
// first 1000 in the result), and rows are written in chunks, each one
// transaction. Re-importing violation records skips record numbers that
// exist; licences and vehicles are updated in place.
func (e *Engine) Import(ctx context.Context, a api.Actor, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	if err := core.RequireStaff(a); err != nil {
		return nil, err
	}
	cols, ok := importColumns[r.Kind]
	if !ok {
		return nil, rules.Invalid("kind", "IMPORT_KIND", "导入类型必须是 licences、vehicles 或 violations", "import kind must be licences, vehicles or violations")
	}
	rd, err := ingest.NewReader(data, ingest.Format(r.Format), cols)
	if err != nil {
		var mc *ingest.MissingColumnsError
		if errors.As(err, &mc) {
			return nil, rules.Invalid(strings.Join(mc.Columns, ","), "IMPORT_MISSING_COLUMNS", "缺少必需的列："+strings.Join(mc.Columns, ", "), err.Error())
		}
		return nil, rules.Invalid("file", "IMPORT_BAD_FILE", "文件无法读取："+err.Error(), err.Error())
	}
	chunk := r.ChunkSize
	if chunk <= 0 {
		chunk = defaultChunk
	}
	res := &api.ImportResult{Kind: r.Kind, Rejects: []api.Reject{}}
	reject := func(line int, err error) {
		rj := api.Reject{Line: line, Code: "IMPORT_BAD_ROW", Reason: err.Error()}
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
	p := &rowParser{today: e.env.Today(), codes: e.env.Codes}
	// The parser runs ahead of the writer by one chunk.
	type batch struct {
		lics  []rules.Licence
		vehs  []rules.Vehicle
		viols []store.NewViolation
		bad   []lineErr
		rows  int
	}
	batches := make(chan batch, 1)
	readErr := make(chan error, 1)
	go func() {
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
				readErr <- rules.Invalid("file", "IMPORT_BAD_FILE", "文件格式错误："+err.Error(), err.Error())
				return
			}
			b.rows++
			if row.Err != nil {
				b.bad = append(b.bad, lineErr{row.Line, rules.Invalid("", "IMPORT_BAD_LINE", "无法解析该行："+row.Err.Error(), row.Err.Error())})
			} else if err := p.parse(r.Kind, &row, &b.lics, &b.vehs, &b.viols); err != nil {
				b.bad = append(b.bad, lineErr{row.Line, err})
			}
			if b.rows >= chunk {
				batches <- b
				b = batch{}
			}
		}
		if b.rows > 0 {
			batches <- b
		}
		readErr <- nil
	}()
	for b := range batches {
		res.Rows += b.rows
		for _, le := range b.bad {
			reject(le.line, le.err)
		}
		var refused []store.Refused
		var ins, upd int
		err := e.env.Store.Update(func(tx *store.Tx) (err error) {
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
			for range batches { // let the parser finish
			}
			return res, err
		}
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
		return res, err
	}
	return res, e.env.Store.Update(func(tx *store.Tx) error {
		return e.env.Audit(tx, a, "import_"+string(r.Kind), "", strconv.Itoa(res.Inserted)+" inserted, "+strconv.Itoa(res.Rejected)+" rejected")
	})
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

func putLicences(tx *store.Tx, ls []rules.Licence) (ins, upd int, err error) {
	return upsert(ls, func(l *rules.Licence) (*rules.Licence, error) { return tx.Licence(l.IDNumber) },
		func(l, _ *rules.Licence) error { return tx.PutLicence(l) })
}

func putVehicles(tx *store.Tx, vs []rules.Vehicle) (ins, upd int, err error) {
	return upsert(vs, func(v *rules.Vehicle) (*rules.Vehicle, error) { return tx.Vehicle(v.Plate, v.PlateType) },
		func(v, _ *rules.Vehicle) error { return tx.PutVehicle(v) })
}

// rowParser turns import rows into records, validating every field.
type rowParser struct {
	today rules.Date
	codes rules.CodeBook
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
		nv, err := store.NewViolationOf(&v, row.Line)
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
	return rules.Invalid(name, "IMPORT_BAD_VALUE", err.Error(), err.Error())
}

func required(row *ingest.Row, name string) (string, error) {
	v := row.Get(name)
	if v == "" {
		return "", rules.Invalid(name, "IMPORT_FIELD_REQUIRED", "必填字段为空："+name, "required field is empty: "+name)
	}
	return v, nil
}

func date(row *ingest.Row, name string, need bool) (rules.Date, error) {
	s := row.Get(name)
	if s == "" {
		if need {
			return rules.Date{}, rules.Invalid(name, "IMPORT_FIELD_REQUIRED", "必填字段为空："+name, "required field is empty: "+name)
		}
		return rules.Date{}, nil
	}
	d, err := rules.ParseDate(s)
	if err != nil {
		return rules.Date{}, rules.Invalid(name, "DATE_FORMAT", "日期必须是 YYYY-MM-DD 格式的真实日期："+s, "want a real date as YYYY-MM-DD, got "+strconv.Quote(s))
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
		return l, rules.Invalid("classes", "LICENCE_CLASS", "准驾车型必须由 A1 A2 A3 B1 B2 C1–C6 D E F M N P 组成", "classes must be made of A1 A2 A3 B1 B2 C1–C6 D E F M N P, got "+strconv.Quote(row.Get("classes")))
	}
	if l.FirstIssuedOn, err = date(row, "first_issued_on", true); err != nil {
		return l, err
	}
	if l.FirstIssuedOn.After(p.today) {
		return l, rules.Invalid("first_issued_on", "DATE_IN_FUTURE", "初次领证日期不能晚于今天", "first_issued_on is in the future")
	}
	if s := row.Get("valid_until"); s != "长期" && !strings.EqualFold(s, "permanent") {
		if l.ValidUntil, err = date(row, "valid_until", false); err != nil {
			return l, err
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
			return v, rules.Invalid("vin", "VIN_FORMAT", "车辆识别代号为17位字母数字，不含 I、O、Q", "a VIN is 17 letters and digits without I, O or Q")
		}
		v.VIN = s
	}
	if v.RegisteredOn, err = date(row, "registered_on", false); err != nil {
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
		return v, rules.Invalid("record_no", "RECORD_NO_FORMAT", "记录编号为1到32位字母、数字或连字符", "record_no must be 1 to 32 letters, digits or dashes")
	}
	if v.PlateType, err = rules.ParsePlateType(row.Get("plate_type")); err != nil {
		return v, err
	}
	if v.Plate, err = rules.CheckPlate(row.Get("plate"), v.PlateType); err != nil {
		return v, err
	}
	if v.OccurredAt, err = parseTime(row.Get("occurred_at")); err != nil {
		return v, rules.Invalid("occurred_at", "TIME_FORMAT", "时间必须是带时区的 RFC 3339 格式，或 YYYY-MM-DD HH:MM:SS（北京时间）", "occurred_at must be RFC 3339 with an offset, or YYYY-MM-DD HH:MM:SS in China time")
	}
	if v.OccurredAt.After(p.today.AddDays(1).Time()) {
		return v, rules.Invalid("occurred_at", "TIME_IN_FUTURE", "违法时间不能晚于现在", "occurred_at is in the future")
	}
	v.OccurredAt = v.OccurredAt.In(rules.China)
	v.Location = row.Get("location")
	if v.Code, err = required(row, "code"); err != nil {
		return v, err
	}
	v.Description = row.Get("description")
	if v.Fine, err = rules.ParseMoney(row.Get("fine")); err != nil {
		return v, rules.Invalid("fine", "FINE_FORMAT", "罚款金额格式错误："+err.Error(), err.Error())
	}
	if v.Points, err = strconv.Atoi(row.Get("points")); err != nil || !rules.ValidPoints(v.Points) {
		return v, rules.Invalid("points", "POINTS_VALUE", "记分只能是 0、1、3、6、9 或 12", "points must be 0, 1, 3, 6, 9 or 12, got "+strconv.Quote(row.Get("points")))
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
			return v, rules.Invalid("decision_no", "DECISION_NO_FORMAT", "决定书编号为15或16位数字", "decision_no must be 15 or 16 digits")
		}
		if v.ServedOn, err = date(row, "served_on", true); err != nil {
			return v, err
		}
		v.Status = rules.StatusUnpaid
	} else if row.Get("served_on") != "" {
		return v, rules.Invalid("served_on", "SERVED_WITHOUT_DECISION", "有送达日期但没有决定书编号", "served_on is given without a decision_no")
	}
	// A pending reconsideration or lawsuit (处罚法 §73) stops the late fee.
	if from, err := date(row, "suspended_from", false); err != nil {
		return v, err
	} else if !from.IsZero() {
		to, err := date(row, "suspended_to", false)
		if err != nil {
			return v, err
		}
		if !to.IsZero() && to.Before(from) {
			return v, rules.Invalid("suspended_to", "SUSPENSION_RANGE", "暂停结束日期早于开始日期", "suspended_to is before suspended_from")
		}
		v.Suspensions = []rules.Suspension{{From: from, To: to}}
	} else if row.Get("suspended_to") != "" {
		return v, rules.Invalid("suspended_from", "IMPORT_FIELD_REQUIRED", "有暂停结束日期但没有开始日期", "suspended_to is given without suspended_from")
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
