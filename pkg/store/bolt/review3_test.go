package bolt

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// failWrites makes every later write to the store's file fail (EBADF):
// a read-only descriptor of the file replaces the store's own, as a
// failing disk would refuse the commit.
func failWrites(t *testing.T, path string) {
	t.Helper()
	abs, _ := filepath.Abs(path)
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	n := 0
	for _, e := range ents {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || l != abs {
			continue
		}
		var fd int
		if _, err := fmtSscan(e.Name(), &fd); err != nil || fd == int(ro.Fd()) {
			continue
		}
		if err := syscall.Dup2(int(ro.Fd()), fd); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Skip("the store's file descriptor was not found")
	}
}

// TestReview3WritePaymentCommitFails: when the commit of a payment's write
// fails (a full or failing disk), bolt.WritePayment returns written=true
// WITH the commit's error, because the function of the group commit set
// written before the commit. The engine (violations/pay.go) tests
// `written` before `err`: it answers the payer with a receipt, records
// nothing, and refunds nothing — money taken, neither recorded nor given
// back.
func TestReview3WritePaymentCommitFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	s, err := Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := viol("R1", "鲁A1", rules.StatusUnpaid)
	v.DecisionNo = "D1"
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutViolation(&v, nil) }); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 4, 9, 30, 0, 0, rules.China)
	p := &rules.Payment{ID: "PD1", DecisionNo: "D1", RecordNo: "R1", Amount: rules.Yuan(200), PaidAt: t0, OrderID: "O1"}
	raw, _ := s.EncodePayment(p)
	rec, _ := s.EncodeIdempotent("h", p)
	audit, _ := s.EncodeAudit(rules.AuditEntry{At: t0, Action: "pay", Subject: "D1"})
	failWrites(t, path)
	written, err := s.WritePayment(context.Background(), store.PaymentWrite{Scope: "pay:p", Key: "k", Hash: "h", KeyRecord: rec,
		DecisionNo: "D1", RecordNo: "R1", Payment: raw, Audit: audit})
	if err == nil {
		t.Skip("the commit did not fail")
	}
	if written {
		t.Errorf("WritePayment = true, %v: a failed commit reported as written", err)
	}
}

func fmtSscan(s string, fd *int) (int, error) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		n = n*10 + int(c-'0')
	}
	*fd = n
	return 1, nil
}
