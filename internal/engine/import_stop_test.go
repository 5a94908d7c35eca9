package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// violationRows returns n good rows, R1 to Rn, on lines 2 to n+1.
func violationRows(n int) string {
	var b strings.Builder
	b.WriteString(violationHeader)
	for i := 1; i <= n; i++ {
		b.WriteString(violationRow(fmt.Sprintf("R%d", i)))
	}
	return b.String()
}

// TestImportStopsPartway: a file that breaks partway returns the committed
// chunks' counts, where it stopped, and an error that says both.
func TestImportStopsPartway(t *testing.T) {
	tests := []struct {
		name             string
		data             string
		code             string
		stopped, through int
		msg              string
	}{
		{"broken quote", violationRows(25) + "\"R26,x\n" + violationRow("R27"), "IMPORT_BAD_FILE", 27, 21,
			"broken quoting: a quoted value must end with a quote, and a quote inside it must be doubled (\"\") (found on line 28); 20 rows committed, stopped at line 27"},
		{"bare quote", violationRows(25) + "R\"26,x\n", "IMPORT_BAD_FILE", 27, 21, "a quote (\") inside an unquoted value"},
		{"CSV row over 1 MiB", violationRows(25) + "R26,\"" + strings.Repeat("x", 2<<20) + "\"\n", "IMPORT_ROW_TOO_LONG", 27, 21,
			"no complete row within 1048576 bytes (a row may have at most 1 MiB); 20 rows committed, stopped at line 27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openImport(t)
			res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations, ChunkSize: 10}, strings.NewReader(tt.data), nil)
			var re *rules.Error
			if !errors.As(err, &re) || re.Code != tt.code || re.Field != "file" || re.Kind != rules.KindInvalid {
				t.Fatalf("err = %#v, want %s on field file", err, tt.code)
			}
			if !strings.Contains(re.EN, tt.msg) || !strings.Contains(re.ZH, fmt.Sprintf("已提交 20 行，停在第 %d 行", tt.stopped)) {
				t.Errorf("message %q / %q, want it to contain %q", re.EN, re.ZH, tt.msg)
			}
			checkWords(t, "message", re.EN)
			if res == nil {
				t.Fatal("no partial result")
			}
			if res.Rows != 20 || res.Inserted != 20 || res.StoppedAtLine != tt.stopped || res.CommittedThroughLine != tt.through {
				t.Errorf("result %+v; want 20 rows inserted, stopped at line %d, committed through line %d", res, tt.stopped, tt.through)
			}
		})
	}
}

// TestImportCompleteHasNoStop: a whole import does not say it stopped.
func TestImportCompleteHasNoStop(t *testing.T) {
	c := openImport(t)
	res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations, ChunkSize: 10}, strings.NewReader(violationRows(25)), nil)
	if err != nil || res.Inserted != 25 || res.StoppedAtLine != 0 || res.CommittedThroughLine != 0 {
		t.Fatalf("result %+v, %v", res, err)
	}
}

// stuckReader gives data, then cancels and blocks like a terminal that
// has nothing more to say, until release is closed.
type stuckReader struct {
	data    io.Reader
	cancel  func()
	release chan struct{}
}

func (s *stuckReader) Read(p []byte) (int, error) {
	if n, err := s.data.Read(p); err != io.EOF {
		return n, err
	}
	s.cancel()
	<-s.release
	return 0, io.EOF
}

// TestImportInterrupted: a cancelled import returns what was committed and
// IMPORT_INTERRUPTED, even while the reader is stuck in a read.
func TestImportInterrupted(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		t.Run(fmt.Sprintf("stuck=%v", stuck), func(t *testing.T) {
			c := openImport(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var data io.Reader = strings.NewReader(violationRows(15))
			want := 0    // rows committed
			stopped := 1 // no row was read
			if stuck {
				release := make(chan struct{})
				defer close(release)
				data = &stuckReader{data: data, cancel: cancel, release: release}
				stopped = 17 // the line after the last row read
			} else {
				cancel()
			}
			done := make(chan struct{})
			var res *api.ImportResult
			var err error
			go func() {
				defer close(done)
				res, err = c.Imports.Import(ctx, api.ImportRequest{Kind: api.ImportViolations, ChunkSize: 10}, data, nil)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Import does not return after the context is cancelled")
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Code != "IMPORT_INTERRUPTED" || re.Kind != rules.KindUnavailable {
				t.Fatalf("err = %#v, want IMPORT_INTERRUPTED", err)
			}
			if res == nil {
				t.Fatal("no partial result")
			}
			if stuck {
				// The first chunk may or may not have been committed when the
				// cancellation came; the result and the message agree.
				want = res.Inserted
				if want != 0 && want != 10 {
					t.Errorf("inserted %d, want 0 or 10", want)
				}
			}
			if res.Inserted != want || res.StoppedAtLine != stopped {
				t.Errorf("result %+v, want %d inserted, stopped at line %d", res, want, stopped)
			}
			if m := fmt.Sprintf("import interrupted; %d rows committed, stopped at line %d", want, stopped); re.EN != m {
				t.Errorf("message %q, want %q", re.EN, m)
			}
			if !strings.Contains(re.ZH, fmt.Sprintf("导入已中断；已提交 %d 行", want)) {
				t.Errorf("message_zh %q", re.ZH)
			}
		})
	}
}

// slowReader cancels during a read that takes a while, and notes a read
// that ends after the import returned.
type slowReader struct {
	data     io.Reader
	cancel   func()
	returned atomic.Bool
	late     atomic.Bool
}

func (s *slowReader) Read(p []byte) (int, error) {
	n, err := s.data.Read(p[:min(len(p), 512)])
	if err == io.EOF {
		s.cancel()
		time.Sleep(100 * time.Millisecond)
	}
	if s.returned.Load() {
		s.late.Store(true)
	}
	return n, err
}

// TestImportInterruptedReadsNoMore: an interrupted import returns only
// after its last read, so that the caller may close the data (an HTTP
// body must not be read after its handler returns).
func TestImportInterruptedReadsNoMore(t *testing.T) {
	c := openImport(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &slowReader{data: strings.NewReader(violationRows(30)), cancel: cancel}
	_, err := c.Imports.Import(ctx, api.ImportRequest{Kind: api.ImportViolations, ChunkSize: 10}, r, nil)
	r.returned.Store(true)
	if !errors.Is(err, rules.ErrImportInterrupted) {
		t.Fatalf("err = %v, want IMPORT_INTERRUPTED", err)
	}
	time.Sleep(200 * time.Millisecond)
	if r.late.Load() {
		t.Error("the data was read after Import returned")
	}
}
