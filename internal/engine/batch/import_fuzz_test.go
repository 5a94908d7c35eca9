package batch

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/ingest"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// FuzzImportRows reads arbitrary rows of every kind, in both encodings,
// through the row parser: it never panics, every refusal is a *rules.Error
// with a code and a field, and what it accepts has dates that can be true.
func FuzzImportRows(f *testing.F) {
	seeds := []string{
		"R1,鲁A12345,02,2026-11-01 08:00,x,1625,200,6,camera,3701000000000001,2026-11-02,2026-11-03,2026-11-04,370102199003071238",
		"R2,鲁A12345,02,0001-01-01T00:00:00Z,,1625,200,6,camera,,,,,",
		"R3,鲁A12345,02,2026-11-01 08:00,,1625,200,6,onsite,3701000000000003,2026-10-01,2026-09-01,,",
		"370102199003071238,张三,370100123456,C1,2015-06-01,2015-05-01,normal,13800138000",
		"鲁A12345,02,370102199003071238,张三,LSVAU2180N2123456,2030-05-20",
		"\xbe\xad,\xff\xfe,\"x\"\"y\",,,,,,,,,,,",
	}
	for _, s := range seeds {
		for k := range uint8(3) {
			f.Add([]byte(s), k)
		}
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	codes, err := refdata.Codes("")
	if err != nil {
		f.Fatal(err)
	}
	p := &rowParser{today: rules.DateOf(now), now: now, codes: codes, prepare: (*bolt.Store)(nil).Prepare}
	kinds := []api.ImportKind{api.ImportViolations, api.ImportLicences, api.ImportVehicles}
	header := map[api.ImportKind]string{
		api.ImportViolations: "record_no,plate,plate_type,occurred_at,location,code,fine,points,source,decision_no,served_on,suspended_from,suspended_to,driver_id_number\n",
		api.ImportLicences:   "id_number,name,file_no,classes,first_issued_on,valid_until,status,phone\n",
		api.ImportVehicles:   "plate,plate_type,owner_id_number,owner_name,vin,registered_on\n",
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		k := kinds[mode%3]
		enc := []ingest.Encoding{ingest.UTF8, ingest.GBK}[mode/3%2]
		rd, err := ingest.NewReader(bytes.NewReader(append([]byte(header[k]), data...)), ingest.Config{Format: ingest.CSV, Encoding: enc, Required: importColumns[k]})
		if err != nil {
			return
		}
		for {
			row, err := rd.Next()
			if err != nil {
				return
			}
			if row.Err != nil {
				continue
			}
			var lics []rules.Licence
			var vehs []rules.Vehicle
			var viols []store.NewViolation
			err = p.parse(k, &row, &lics, &vehs, &viols)
			var re *rules.Error
			if err != nil {
				if !errors.As(err, &re) || re.Code == "" || re.Field == "" {
					t.Fatalf("line %d: refusal %#v has no code or field", row.Line, err)
				}
				continue
			}
			for _, l := range lics {
				if l.FirstIssuedOn.After(p.today) || l.FirstIssuedOn.Before(earliestIssue) || !l.ValidUntil.IsZero() && l.ValidUntil.Before(l.FirstIssuedOn) {
					t.Fatalf("licence dates accepted: %+v", l)
				}
			}
			for _, v := range vehs {
				if v.RegisteredOn.After(p.today) {
					t.Fatalf("registration date accepted: %v", v.RegisteredOn)
				}
			}
		}
	})
}
