package cli

import (
	"strconv"

	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/spf13/cobra"
)

func newStoreCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "本地数据存储维护 / maintain the local store"}
	check := &cobra.Command{
		Use:   "check",
		Short: "检查存储文件与索引的一致性 / check the store file and that its indexes agree with its records",
		Long:  "Runs bbolt's page check and compares every index with the records. Exit 0 when consistent, 1 when a problem is found.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(true)
			if err != nil {
				return err
			}
			ec, ok := c.(*embedded.Client)
			if !ok {
				return usageErr("store check works on the embedded store only")
			}
			r, err := ec.Verify()
			if err != nil {
				return err
			}
			status := "ok"
			if len(r.Problems) > 0 {
				status = "problems"
			}
			if err := f.print(listing{
				cols: []column{{"状态", "STATUS", false}, {"记录", "RECORDS", true}, {"决定书", "DECISIONS", true}, {"缴款", "PAYMENTS", true},
					{"号牌索引", "PLATE INDEX", true}, {"索引段", "RUNS", true}, {"状态索引", "STATUS INDEX", true}},
				rows: [][]string{{status, strconv.Itoa(r.Records), strconv.Itoa(r.Decisions), strconv.Itoa(r.Payments),
					strconv.Itoa(r.PlateIndex), strconv.Itoa(r.PlateRuns), strconv.Itoa(r.StatusIndex)}},
				json: r,
			}); err != nil {
				return err
			}
			if len(r.Problems) > 0 {
				for _, p := range r.Problems {
					f.sayErr(p)
				}
				return &silentError{ExitError}
			}
			return nil
		},
	}
	cmd.AddCommand(check)
	return cmd
}
