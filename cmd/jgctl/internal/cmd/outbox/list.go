package outbox

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of `outbox list`.
type ListOptions struct {
	F     *cmdutil.Factory
	After uint64
	Limit int
}

// NewCmdList builds `outbox list`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "列出待发送短信 / list queued messages",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.CheckPositive(cmd, "limit", opts.Limit); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.After, "after", 0, "list messages after this sequence number")
	cmd.Flags().IntVar(&opts.Limit, "limit", 100, "at most this many messages")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	c, err := opts.F.Client(cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	ms, err := c.Outbox.List(ctx, api.OutboxRequest{After: int64(opts.After), Limit: opts.Limit})
	if err != nil {
		return err
	}
	l := cmdutil.Listing{Cols: []cmdutil.Column{cmdutil.Num("序号", "SEQ"), cmdutil.Col("时间", "CREATED"), cmdutil.Col("手机", "TO"), cmdutil.Col("模板", "TEMPLATE"), cmdutil.Col("内容", "TEXT")},
		JSON: ms, EmptyZH: "发件箱为空。", EmptyEN: "the outbox is empty"}
	for _, m := range ms {
		l.Rows = append(l.Rows, []string{strconv.FormatUint(m.Seq, 10), cmdutil.FmtTime(m.CreatedAt), m.To, m.Template, m.Text})
	}
	return opts.F.Print(l)
}
