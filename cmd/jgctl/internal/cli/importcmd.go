package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

func newImportCmd(f *Factory) *cobra.Command {
	var format string
	var chunk int
	cmd := &cobra.Command{
		Use:   "import {licences|vehicles|violations} FILE",
		Short: "导入驾驶证、机动车或违法记录（工作人员）/ import licences, vehicles or violations from CSV or JSONL (staff)",
		Long: "Import a CSV (with a header line) or JSON Lines file; FILE '-' reads standard input.\n" +
			"Every row is validated; rejected rows are reported on stderr with line number, field and reason,\n" +
			"and the rest are imported in chunks, each one transaction. Re-importing violations skips record numbers\n" +
			"already stored; licences and vehicles are updated in place. Exit 0 when every row was accepted, 5 when\n" +
			"some were rejected, 2 when the file itself is unusable (missing columns, broken quoting; chunks\n" +
			"committed before the damage stay, and a re-run skips them).\n" +
			"Columns: see docs/import-formats.md.",
		Args:      cobra.ExactArgs(2),
		ValidArgs: []string{"licences", "vehicles", "violations"},
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := api.ImportKind(args[0])
			switch kind {
			case api.ImportLicences, api.ImportVehicles, api.ImportViolations:
			default:
				return usageErr("import kind %q: want licences, vehicles or violations", args[0])
			}
			var in io.Reader = f.IO.In
			if args[1] != "-" {
				fh, err := os.Open(args[1])
				if err != nil {
					return usageErr("%v", err)
				}
				defer fh.Close()
				in = fh
			}
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			lang := f.Config.Lang
			res, err := c.Import(cmd.Context(), api.ImportRequest{Kind: kind, Format: api.ImportFormat(format), ChunkSize: chunk}, in, func(r api.Reject) {
				field := ""
				if r.Field != "" {
					field = r.Field + ": "
				}
				reason := r.Reason
				if lang == "zh" && r.ReasonZH != "" {
					reason = r.ReasonZH
				}
				fmt.Fprintf(f.IO.Err, "%s: %s%s [%s]\n", fmt.Sprintf(t(lang, "第 %d 行", "line %d"), r.Line), field, reason, r.Code)
			})
			if res != nil {
				if perr := f.print(listing{
					cols: []column{{"类型", "KIND", false}, {"行数", "ROWS", true}, {"新增", "INSERTED", true}, {"更新", "UPDATED", true},
						{"重复", "DUPLICATES", true}, {"拒绝", "REJECTED", true}},
					rows: [][]string{{string(res.Kind), strconv.Itoa(res.Rows), strconv.Itoa(res.Inserted), strconv.Itoa(res.Updated),
						strconv.Itoa(res.Duplicates), strconv.Itoa(res.Rejected)}},
					json: res,
				}); perr != nil && err == nil {
					err = perr
				}
			}
			if err != nil {
				return err
			}
			if res.Rejected > 0 {
				return &silentError{ExitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "csv or jsonl (default: detect from the first byte)")
	cmd.Flags().IntVar(&chunk, "chunk-size", 0, "rows per transaction (default 8192)")
	return cmd
}
