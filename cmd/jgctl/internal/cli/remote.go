package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// remote returns the HTTP client of --endpoint, with the token from
// --token / JGCTL_TOKEN or else the one `jgctl login` saved.
func (f *Factory) remote() (*client.HTTP, error) {
	c := f.Config
	tok := c.Token
	if tok == "" {
		tok = savedTokens()[c.Endpoint]
	}
	opts := []client.Option{}
	if tok != "" {
		opts = append(opts, client.WithToken(tok))
	}
	if c.As != "" {
		opts = append(opts, client.ActingAs(rules.NormalizeIDNumber(c.As)))
	}
	h, err := client.New(c.Endpoint, opts...)
	if err != nil {
		return nil, usageErr("--endpoint: %v", err)
	}
	return h, nil
}

// tokensPath is where login keeps tokens: one per endpoint, mode 0600.
func tokensPath() string { return filepath.Join(configDir(), "jgctl", "tokens.json") }

func savedTokens() map[string]string {
	m := map[string]string{}
	if b, err := os.ReadFile(tokensPath()); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

func saveToken(endpoint, token string) error {
	m := savedTokens()
	if token == "" {
		delete(m, endpoint)
	} else {
		m[endpoint] = token
	}
	if err := os.MkdirAll(filepath.Dir(tokensPath()), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	tmp := tokensPath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, tokensPath())
}

// readPassword reads one line from standard input (--password-stdin).
func readPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageErr("--password-stdin: no password on standard input")
	}
	return pw, nil
}

func (f *Factory) needEndpoint(cmd string) (*client.HTTP, error) {
	if f.Config.Endpoint == "" {
		return nil, usageErr("%s needs --endpoint (or JGCTL_ENDPOINT)", cmd)
	}
	return f.remote()
}

func tokenListing(t *api.Token) listing {
	return listing{
		cols: []column{{"角色", "ROLE", false}, {"身份", "SUBJECT", false}, {"到期", "EXPIRES", false}},
		rows: [][]string{{string(t.Actor.Role), t.Actor.IDNumber + t.Actor.Name, fmtTime(t.ExpiresAt)}},
		json: t,
	}
}

func newLoginCmd(f *Factory) *cobra.Command {
	var r api.LoginRequest
	var stdin bool
	cmd := &cobra.Command{
		Use:   "login --id-number N --password-stdin",
		Short: "登录远程服务并保存令牌 / sign in to --endpoint and keep the token in the user's config",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := f.needEndpoint("login")
			if err != nil {
				return err
			}
			if !stdin {
				return usageErr("login reads the password from standard input: give --password-stdin")
			}
			if r.Password, err = readPassword(f.IO.In); err != nil {
				return err
			}
			tok, err := h.Login(cmd.Context(), r)
			if err != nil {
				return err
			}
			if err := saveToken(f.Config.Endpoint, tok.Token); err != nil {
				return err
			}
			f.say("已登录，令牌保存在 %s。", "Signed in; the token is kept in %s.", tokensPath())
			t := *tok
			t.Token = "" // kept in the file, not printed
			return f.print(tokenListing(&t))
		},
	}
	cmd.Flags().StringVar(&r.IDNumber, "id-number", "", "your ID number")
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	cmd.MarkFlagRequired("id-number")
	return cmd
}

func newLogoutCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "注销令牌 / revoke the token and forget it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := f.needEndpoint("logout")
			if err != nil {
				return err
			}
			if err := h.Logout(cmd.Context()); err != nil && !errors.Is(err, rules.ErrUnauthenticated) {
				return err
			}
			if err := saveToken(f.Config.Endpoint, ""); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			f.say("已注销。", "Signed out.")
			return nil
		},
	}
}

func newWhoamiCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "显示当前身份 / show who the commands act as",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a := f.Actor()
			if f.Config.Endpoint != "" {
				h, err := f.remote()
				if err != nil {
					return err
				}
				who, err := h.Whoami(cmd.Context())
				if err != nil {
					return err
				}
				a = *who
			}
			return f.print(listing{
				cols: []column{{"角色", "ROLE", false}, {"身份", "SUBJECT", false}},
				rows: [][]string{{string(a.Role), a.IDNumber + a.Name}},
				json: a,
			})
		},
	}
}

func newTokenCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "服务账号令牌 / service-account tokens"}
	var r api.TokenRequest
	var role string
	create := &cobra.Command{
		Use:   "create --role R [--name N] [--ttl 720h]",
		Short: "签发令牌（在本地存储上运行即可创建首个工作人员令牌）/ issue a token (on the embedded store: how the first staff token is made)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r.Role = api.Role(role)
			var tok *api.Token
			var err error
			if f.Config.Endpoint != "" {
				h, herr := f.remote()
				if herr != nil {
					return herr
				}
				tok, err = h.CreateToken(cmd.Context(), r)
			} else {
				c, cerr := f.Client(false)
				if cerr != nil {
					return cerr
				}
				tok, err = c.(*embedded.Client).CreateToken(cmd.Context(), r)
			}
			if err != nil {
				return err
			}
			if f.Config.Output == "table" {
				f.say("令牌（仅显示一次）：", "Token (shown once):")
				f.say("%s", "%s", tok.Token)
			}
			l := tokenListing(tok)
			if f.Config.Output == "plain" {
				l.rows = [][]string{{tok.Token}}
			}
			return f.print(l)
		},
	}
	create.Flags().StringVar(&role, "role", "", "person, unit, hospital, bank, staff or admin")
	create.Flags().StringVar(&r.Name, "name", "", "the account's name (for role person: the ID number)")
	create.Flags().StringVar(&r.TTL, "ttl", "", "lifetime, e.g. 720h (default 2160h)")
	create.MarkFlagRequired("role")
	create.RegisterFlagCompletionFunc("role", fixedCompletion("person", "unit", "hospital", "bank", "staff", "admin"))
	cmd.AddCommand(create)
	return cmd
}
