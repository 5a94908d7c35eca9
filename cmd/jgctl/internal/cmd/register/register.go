// Package register is `jgctl register`: register a person, and
// `register unit`.
package register

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// PersonOptions are the inputs of `register`.
type PersonOptions struct {
	F       *cmdutil.Factory
	Request api.RegisterPersonRequest
	// PasswordStdin reads a password for login from standard input.
	PasswordStdin bool
}

// NewCmdRegister builds `register` (a person) with `register unit` under
// it; runF, if not nil, runs instead of the command's own run function
// (tests).
func NewCmdRegister(f *cmdutil.Factory, runF func(*PersonOptions) error) *cobra.Command {
	opts := &PersonOptions{F: f}
	cmd := &cobra.Command{
		Use:   "register --id-number N --name S --phone P (--licence-file-no F | --plate P --plate-type T)",
		Short: "注册个人用户 / register a person",
		Long: "Register a person. The identity is proven by the licence file number (档案编号) of their licence record,\n" +
			"or by the plate and plate type of a vehicle registered to them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runRegister(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	r := &opts.Request
	fl.StringVar(&r.IDNumber, "id-number", "", "resident ID number (身份证号码)")
	fl.StringVar(&r.Name, "name", "", "name as on the ID card")
	fl.StringVar(&r.Phone, "phone", "", "mainland mobile number")
	fl.StringVar(&r.FileNo, "licence-file-no", "", "licence file number (档案编号, 12 digits)")
	fl.StringVar(&r.Plate, "plate", "", "plate of a vehicle you own")
	fl.StringVar(&r.PlateType, "plate-type", "", "plate type code (02 小型汽车, 52 小型新能源汽车, …)")
	fl.StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried registration safe")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read a password (for jgctl login) from standard input")
	cmd.MarkFlagRequired("id-number")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagRequired("phone")
	cmd.MarkFlagsOneRequired("licence-file-no", "plate")
	cmd.MarkFlagsMutuallyExclusive("licence-file-no", "plate")
	cmd.MarkFlagsRequiredTogether("plate", "plate-type")
	cmd.AddCommand(NewCmdUnit(f, nil))
	return cmd
}

func runRegister(ctx context.Context, opts *PersonOptions) error {
	f := opts.F
	r := opts.Request
	if opts.PasswordStdin {
		pw, err := cmdutil.ReadPassword(f.IO.In)
		if err != nil {
			return err
		}
		r.Password = pw
	}
	if f.Config.Endpoint == "" {
		// On the embedded store a person registers as themselves.
		f.Config.As = rules.NormalizeIDNumber(r.IDNumber)
	}
	c, err := f.Client(cmdutil.Create)
	if err != nil {
		return err
	}
	p, err := c.Accounts.RegisterPerson(ctx, r)
	if err != nil {
		return err
	}
	f.Say("注册成功。", "Registered.")
	return f.Print(cmdutil.PersonListing(p))
}
