package importcmd

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// cancelAfter hands out one line per read and cancels the run (as Ctrl-C
// does) once it has handed out n lines.
type cancelAfter struct {
	lines  []string
	n      int
	cancel context.CancelFunc
}

func (r *cancelAfter) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	if r.n--; r.n == 0 {
		r.cancel()
	}
	k := copy(p, r.lines[0])
	r.lines[0] = r.lines[0][k:]
	if r.lines[0] == "" {
		r.lines = r.lines[1:]
	}
	return k, nil
}

// TestRunImportInterrupted stops an import after its first chunk: the
// summary shows what was committed and the error says so, in words.
func TestRunImportInterrupted(t *testing.T) {
	data, err := examples.Files.ReadFile("licences.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) < 5 {
		t.Fatalf("licences.csv has %d lines, want ≥ 5", len(lines))
	}
	r := cmdtest.New(t, "json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The header and two rows make the first chunk; the fourth line cancels.
	r.F.IO.In = &cancelAfter{lines: lines, n: 4, cancel: cancel}
	err = runImport(ctx, &ImportOptions{F: r.F, Kind: api.ImportLicences, File: "-", ChunkSize: 2})
	if !errors.Is(err, rules.ErrInterrupted) {
		t.Fatalf("err %v, want INTERRUPTED", err)
	}
	if want := "interrupted; 2 rows committed"; err.(*rules.Error).EN != want {
		t.Errorf("message %q, want %q", err.(*rules.Error).EN, want)
	}
	var res api.ImportResult
	if err := json.Unmarshal(r.Out.Bytes(), &res); err != nil {
		t.Fatalf("summary: %v\n%s", err, r.Out)
	}
	if res.Inserted != 2 {
		t.Errorf("summary %+v, want 2 inserted", res)
	}
}

// TestRunImportEncoding: --encoding gbk reads a GBK file; without it, the
// row is refused as not UTF-8, naming the field.
func TestRunImportEncoding(t *testing.T) {
	// 张三 in GBK.
	gbk := "id_number,name,file_no,classes,first_issued_on,valid_until,status\n370102199003071238,\xd5\xc5\xc8\xfd,370100123456,C1,2015-06-01,2031-06-01,normal\n"
	for _, c := range []struct {
		encoding string
		rejected int
	}{{"", 1}, {"gbk", 0}} {
		r := cmdtest.New(t, "json")
		r.F.IO.In = strings.NewReader(gbk)
		err := runImport(context.Background(), &ImportOptions{F: r.F, Kind: api.ImportLicences, File: "-", Encoding: c.encoding})
		var res api.ImportResult
		if jerr := json.Unmarshal(r.Out.Bytes(), &res); jerr != nil {
			t.Fatalf("encoding %q: %v (%s, %v)", c.encoding, jerr, r.Out, err)
		}
		if res.Rejected != c.rejected || (c.rejected > 0 && res.Rejects[0].Code != "TEXT_ENCODING") {
			t.Errorf("encoding %q: %+v", c.encoding, res)
		}
	}
}
