package examples

import (
	"context"
	"io"

	"github.com/jgctl/jgctl/pkg/api"
)

// Importer is what Load needs; every client.Client is one.
type Importer interface {
	Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error)
}

// Order lists the sample files in the order they must be imported, with
// their kinds: licences and vehicles before the violations that refer to them.
var Order = []struct {
	Kind api.ImportKind
	File string
}{
	{api.ImportLicences, "licences.csv"},
	{api.ImportVehicles, "vehicles.csv"},
	{api.ImportViolations, "violations.csv"},
	{api.ImportViolations, "violations.jsonl"},
}

// Load imports every sample file into c, calling report (if not nil) with
// each file's result.
func Load(ctx context.Context, c Importer, report func(file string, r *api.ImportResult)) error {
	for _, o := range Order {
		fh, err := Files.Open(o.File)
		if err != nil {
			return err
		}
		res, err := c.Import(ctx, api.ImportRequest{Kind: o.Kind}, fh, nil)
		fh.Close()
		if err != nil {
			return err
		}
		if report != nil {
			report(o.File, res)
		}
	}
	return nil
}
