package cli

import (
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

func personListing(p *rules.Person) listing {
	return listing{
		cols: []column{{"身份证号码", "ID NUMBER", false}, {"姓名", "NAME", false}, {"手机", "PHONE", false}, {"核验方式", "VERIFIED BY", false}},
		rows: [][]string{{p.IDNumber, p.Name, p.Phone, p.Via}},
		json: p,
	}
}

func newRegisterCmd(f *Factory) *cobra.Command {
	var r api.RegisterPersonRequest
	var pwStdin bool
	cmd := &cobra.Command{
		Use:   "register --id-number N --name S --phone P (--licence-file-no F | --plate P --plate-type T)",
		Short: "注册个人用户 / register a person",
		Long: "Register a person. The identity is proven by the licence file number (档案编号) of their licence record,\n" +
			"or by the plate and plate type of a vehicle registered to them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pwStdin {
				pw, err := readPassword(f.IO.In)
				if err != nil {
					return err
				}
				r.Password = pw
			}
			if f.Config.Endpoint == "" {
				f.Config.As = rules.NormalizeIDNumber(r.IDNumber)
			}
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			p, err := c.RegisterPerson(cmd.Context(), r)
			if err != nil {
				return err
			}
			f.say("注册成功。", "Registered.")
			return f.print(personListing(p))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.IDNumber, "id-number", "", "resident ID number (身份证号码)")
	fl.StringVar(&r.Name, "name", "", "name as on the ID card")
	fl.StringVar(&r.Phone, "phone", "", "mainland mobile number")
	fl.StringVar(&r.FileNo, "licence-file-no", "", "licence file number (档案编号, 12 digits)")
	fl.StringVar(&r.Plate, "plate", "", "plate of a vehicle you own")
	fl.StringVar(&r.PlateType, "plate-type", "", "plate type code (02 小型汽车, 52 小型新能源汽车, …)")
	fl.StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried registration safe")
	fl.BoolVar(&pwStdin, "password-stdin", false, "read a password for `jgctl login` from standard input")
	cmd.MarkFlagRequired("id-number")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagRequired("phone")
	cmd.MarkFlagsOneRequired("licence-file-no", "plate")
	cmd.MarkFlagsMutuallyExclusive("licence-file-no", "plate")
	cmd.MarkFlagsRequiredTogether("plate", "plate-type")
	cmd.AddCommand(newRegisterUnitCmd(f))
	return cmd
}

func newRegisterUnitCmd(f *Factory) *cobra.Command {
	var r api.RegisterUnitRequest
	cmd := &cobra.Command{
		Use:   "unit --credit-code C --name S --agent-id-number N",
		Short: "注册单位用户 / register a unit (organisation)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			u, err := c.RegisterUnit(cmd.Context(), r)
			if err != nil {
				return err
			}
			f.say("单位注册成功。", "Unit registered.")
			return f.print(listing{
				cols: []column{{"统一社会信用代码", "CREDIT CODE", false}, {"名称", "NAME", false}, {"经办人", "AGENT", false}},
				rows: [][]string{{u.CreditCode, u.Name, u.AgentIDNumber}},
				json: u,
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.CreditCode, "credit-code", "", "unified social credit code (统一社会信用代码)")
	fl.StringVar(&r.Name, "name", "", "the unit's name")
	fl.StringVar(&r.AgentIDNumber, "agent-id-number", "", "ID number of the registered person acting for the unit (经办人)")
	fl.StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried registration safe")
	for _, n := range []string{"credit-code", "name", "agent-id-number"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func bindingsListing(bs []rules.Binding) listing {
	l := listing{
		cols: []column{{"编号", "ID", false}, {"类型", "KIND", false}, {"号牌", "PLATE", false}, {"号牌种类", "TYPE", false},
			{"本人", "OWN", false}, {"状态", "STATUS", false}, {"申请编号", "REQUEST", false}, {"绑定时间", "CREATED", false}},
		json:    bs,
		emptyZH: "没有绑定。", emptyEN: "no bindings",
	}
	for _, b := range bs {
		l.rows = append(l.rows, []string{b.ID, b.Kind, b.Plate, string(b.PlateType), yesNo(b.Own), b.Status, b.RequestID, fmtTime(b.CreatedAt)})
	}
	return l
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newBindCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "bind", Short: "绑定机动车或驾驶证 / bind a vehicle or your licence"}
	var v api.BindVehicleRequest
	vehicle := &cobra.Command{
		Use:   "vehicle --plate P --plate-type T",
		Short: "绑定机动车：本人车辆立即生效，他人车辆需所有人同意 / bind a vehicle (another owner's needs their approval)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			b, err := c.BindVehicle(cmd.Context(), v)
			if err != nil {
				return err
			}
			if b.Status == rules.BindingPending {
				f.say("已向机动车所有人发送申请，申请编号 %s，待所有人同意后生效。", "Request %s sent to the vehicle's owner; it takes effect once they approve.", b.RequestID)
			} else {
				f.say("机动车 %s 已绑定。", "Vehicle %s bound.", b.Plate)
			}
			l := bindingsListing([]rules.Binding{b.Binding})
			l.json = b
			return f.print(l)
		},
	}
	vehicle.Flags().StringVar(&v.Plate, "plate", "", "plate number, e.g. 鲁A12345")
	vehicle.Flags().StringVar(&v.PlateType, "plate-type", "", "plate type code, e.g. 02")
	vehicle.Flags().StringVar(&v.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	vehicle.MarkFlagRequired("plate")
	vehicle.MarkFlagRequired("plate-type")

	var a api.ApproveRequest
	approve := &cobra.Command{
		Use:   "approve REQUEST_ID",
		Short: "同意他人绑定本人车辆 / approve a request to bind your vehicle",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			a.RequestID = args[0]
			b, err := c.ApproveBinding(cmd.Context(), a)
			if err != nil {
				return err
			}
			f.say("已同意。", "Approved.")
			l := bindingsListing([]rules.Binding{*b})
			l.json = b
			return f.print(l)
		},
	}
	approve.Flags().StringVar(&a.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")

	var lr api.BindLicenceRequest
	licence := &cobra.Command{
		Use:   "licence",
		Short: "绑定本人驾驶证 / bind your own driving licence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			b, err := c.BindLicence(cmd.Context(), lr)
			if err != nil {
				return err
			}
			f.say("驾驶证已绑定。", "Licence bound.")
			l := bindingsListing([]rules.Binding{*b})
			l.json = b
			return f.print(l)
		},
	}
	licence.Flags().StringVar(&lr.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	cmd.AddCommand(vehicle, approve, licence)
	return cmd
}

func newBindingsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "bindings", Short: "查看或解除绑定 / list or remove bindings"}
	var lr api.ListBindingsRequest
	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "列出绑定 / list your bindings (staff: --id-number)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(true)
			if err != nil {
				return err
			}
			bs, err := c.ListBindings(cmd.Context(), lr)
			if err != nil {
				return err
			}
			return f.print(bindingsListing(bs))
		},
	}
	list.Flags().StringVar(&lr.IDNumber, "id-number", "", "whose bindings (staff only)")
	var rr api.RemoveBindingRequest
	remove := &cobra.Command{
		Use:   "remove BINDING_ID",
		Short: "解除绑定 / remove a binding",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			rr.BindingID = args[0]
			if err := c.RemoveBinding(cmd.Context(), rr); err != nil {
				return err
			}
			f.say("已解除绑定 %s。", "Binding %s removed.", rr.BindingID)
			if f.Config.Output == "json" {
				return writeJSON(f.IO.Out, map[string]any{"removed": rr.BindingID})
			}
			return nil
		},
	}
	remove.Flags().StringVar(&rr.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	cmd.AddCommand(list, remove)
	return cmd
}
