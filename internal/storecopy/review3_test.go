package storecopy_test

import (
	"context"
	"testing"

	"github.com/jgctl/jgctl/internal/storecopy"
)

// TestCopyDefaultBatchWithPayment: `jgctl store copy` with its default
// batch (storecopy.DefaultBatch) of a small bbolt store holding a paid
// decision into PostgreSQL. The loader runs a batch's single writes
// (the payment's InsertEncodedPayment) before its bulk InsertViolations,
// so the payment of a record in the same batch finds no record on
// PostgreSQL (insertPayment: "payment of a lapsed decision") and the copy
// fails with HANDLING_EXPIRED. The tests' batch of 7 happens to flush the
// records before the payment arrives.
func TestCopyDefaultBatchWithPayment(t *testing.T) {
	src := populated(t)
	db := openPG(t)
	if res, err := storecopy.Copy(context.Background(), src, db, 0); err != nil {
		t.Fatalf("copy with the default batch: %v (%+v)", err, res)
	}
}
