// Package smoke is `jgctl smoke`: non-destructive checks of a deployment.
package smoke

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// SmokeOptions are the inputs of `smoke`.
type SmokeOptions struct {
	F *cmdutil.Factory
	// JUnit is the path of a JUnit XML report ("" for none).
	JUnit string
}

// smokeCheck is one non-destructive check of a deployment.
type smokeCheck struct {
	Name     string        `json:"name"`
	OK       bool          `json:"ok"`
	Skipped  bool          `json:"skipped,omitempty"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"-"`
	Millis   float64       `json:"duration_ms"`
}

var errSkip = fmt.Errorf("skipped")

// NewCmdSmoke builds `smoke`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdSmoke(f *cmdutil.Factory, runF func(*SmokeOptions) error) *cobra.Command {
	opts := &SmokeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "smoke --endpoint URL [--junit FILE]",
		Short: "部署冒烟检查（只读）/ non-destructive checks of a deployment, for CI",
		Long: "Checks a jgctl serve endpoint without changing anything: health and readiness, the OpenAPI document,\n" +
			"the metrics, a fine quote against a worked example of the regulations, and (with a token) whoami and an\n" +
			"indexed violations query. Exit 0 when every check passes, 1 otherwise; --junit writes a JUnit XML report.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSmoke(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "write a JUnit XML report to this file")
	return cmd
}

func runSmoke(ctx context.Context, opts *SmokeOptions) error {
	f := opts.F
	h, err := f.NeedEndpoint("smoke")
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(f.Config.Endpoint, "/")
	get := func(path string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			if strings.HasSuffix(path, ".json") {
				var doc map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc["openapi"] == nil {
					return fmt.Errorf("not an OpenAPI document")
				}
			}
			return nil
		}
	}
	authed := f.Config.Token != "" || cmdutil.SavedTokens()[f.Config.Endpoint] != ""
	checks := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"healthz", get("/healthz")},
		{"readyz", get("/readyz")},
		{"openapi", get("/v1/openapi.json")},
		{"metrics", get("/metrics")},
		{"whoami", func(ctx context.Context) error {
			if !authed {
				return errSkip
			}
			_, err := h.Accounts.Whoami(ctx)
			return err
		}},
		{"fines_quote", func(ctx context.Context) error {
			if !authed {
				return errSkip
			}
			// domain-rules §1 example 1b: 200 yuan served 2024-03-04, paid 2024-03-29 → 60.00 late fee.
			q, err := h.Fines.Quote(ctx, api.QuoteRequest{Fine: rules.Yuan(200), ServedOn: rules.NewDate(2024, 3, 4), On: rules.NewDate(2024, 3, 29)})
			if err == nil && q.LateFee.String() != "60.00" {
				err = fmt.Errorf("late fee %s, want 60.00", q.LateFee)
			}
			return err
		}},
		{"violations_by_plate", func(ctx context.Context) error {
			if !authed {
				return errSkip
			}
			a, err := h.Accounts.Whoami(ctx)
			if err != nil || !a.IsStaff() {
				return errSkip
			}
			_, err = h.Violations.List(ctx, api.ListViolationsRequest{Plate: "鲁A00000", PlateType: "02", Limit: 1})
			return err
		}},
	}
	var results []smokeCheck
	failed := 0
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		start := time.Now()
		err := c.run(cctx)
		cancel()
		r := smokeCheck{Name: c.name, OK: err == nil, Duration: time.Since(start)}
		r.Millis = float64(r.Duration.Microseconds()) / 1000
		switch {
		case err == errSkip:
			r.OK, r.Skipped, r.Detail = true, true, "needs a staff token"
		case err != nil:
			r.Detail = err.Error()
			failed++
		}
		results = append(results, r)
	}
	if opts.JUnit != "" {
		if err := writeJUnit(opts.JUnit, results); err != nil {
			return err
		}
	}
	l := cmdutil.Listing{Cols: []cmdutil.Column{cmdutil.Col("检查", "CHECK"), cmdutil.Col("结果", "RESULT"), cmdutil.Num("毫秒", "MS"), cmdutil.Col("说明", "DETAIL")}, JSON: results}
	for _, r := range results {
		res := "ok"
		if r.Skipped {
			res = "skipped"
		} else if !r.OK {
			res = "FAILED"
		}
		l.Rows = append(l.Rows, []string{r.Name, res, fmt.Sprintf("%.1f", r.Millis), r.Detail})
	}
	if err := f.Print(l); err != nil {
		return err
	}
	if failed > 0 {
		return &cmdutil.SilentError{Code: cmdutil.ExitError}
	}
	return nil
}

func writeJUnit(path string, results []smokeCheck) error {
	type failure struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name    string    `xml:"name,attr"`
		Class   string    `xml:"classname,attr"`
		Time    float64   `xml:"time,attr"`
		Failure *failure  `xml:"failure,omitempty"`
		Skipped *struct{} `xml:"skipped,omitempty"`
	}
	type suite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	s := suite{Name: "jgctl smoke", Tests: len(results)}
	for _, r := range results {
		c := testcase{Name: r.Name, Class: "jgctl.smoke", Time: r.Duration.Seconds()}
		switch {
		case r.Skipped:
			c.Skipped = &struct{}{}
			s.Skipped++
		case !r.OK:
			c.Failure = &failure{Message: r.Detail}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	b, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}
