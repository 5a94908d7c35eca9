package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is every setting, resolved once per run with the precedence
// flag > environment (JGCTL_*) > config file > default.
type Config struct {
	Store       string
	Endpoint    string // a jgctl serve URL: every command goes there instead of the store
	Token       string // bearer token for the endpoint ("" = the one saved by login)
	Output      string
	As          string    // a valid, normalised ID number, or "" for staff
	Now         time.Time // zero: the real clock
	Lang        string
	LockTimeout time.Duration
	Policy      rules.Policy
	Holidays    string // reference data files; "" = the shipped ones
	Codes       string
	SandboxMode gateway.Mode
	// GatewaySecret signs the bank's payment notifications (serve).
	GatewaySecret string
}

// GlobalFlags are the root's persistent flags, which are also config keys.
var GlobalFlags = []string{"store", "endpoint", "token", "output", "as", "now", "lang", "config", "lock-timeout"}

// defaults is the single place each key gets its default.
func defaults(v *viper.Viper) {
	v.SetDefault("store", defaultStorePath())
	v.SetDefault("endpoint", "")
	v.SetDefault("token", "")
	v.SetDefault("output", "table")
	v.SetDefault("as", "")
	v.SetDefault("now", "")
	v.SetDefault("lang", defaultLang())
	v.SetDefault("lock-timeout", "1s")
	p := rules.DefaultPolicy()
	v.SetDefault("policy.extend_due_on_holiday", p.Fees.ExtendDueOnHoliday)
	v.SetDefault("policy.online_max_fine", p.OnlineMaxFine.String())
	v.SetDefault("policy.handling_ttl", p.HandlingTTL.String())
	v.SetDefault("policy.max_other_vehicles", p.MaxOtherVehicles)
	v.SetDefault("policy.max_other_drivers", p.MaxOtherDrivers)
	v.SetDefault("reference.holidays", "")
	v.SetDefault("reference.violation_codes", "")
	v.SetDefault("gateway.sandbox_mode", string(gateway.Approve))
	v.SetDefault("gateway.secret", "")
}

func defaultStorePath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "jgctl", "jgctl.db")
}

func defaultLang() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			if strings.HasPrefix(v, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

var envKey = strings.NewReplacer("-", "_", ".", "_")

// loader resolves the configuration and names where a bad value came from.
type loader struct {
	v    *viper.Viper
	cmd  *cobra.Command
	file string // the config file read, if any
}

// source names where key's value came from, in the user's terms, and the
// code of a bad value there: the flag, the environment variable or the
// config key.
func (l *loader) source(key string) (string, *rules.Error) {
	if f := l.cmd.Flags().Lookup(key); f != nil && f.Changed {
		return "--" + key, rules.ErrFlagValue
	}
	if env := "JGCTL_" + strings.ToUpper(envKey.Replace(key)); os.Getenv(env) != "" {
		return env, rules.ErrEnvValue
	}
	return key, rules.ErrConfigValue
}

// bad reports a bad value of key: "--output "xml": want …",
// "JGCTL_OUTPUT "xml": want …" or "output "xml": want … (in FILE)".
func (l *loader) bad(key, format string, args ...any) error {
	name, code := l.source(key)
	msg := name + " " + fmt.Sprintf(format, args...)
	if code == rules.ErrConfigValue && l.file != "" {
		msg += " (in " + l.file + ")"
	}
	return Usage(code, name, "%s", msg)
}

// LoadConfig resolves the configuration for the running command.
func LoadConfig(cmd *cobra.Command) (*Config, error) {
	v := viper.New()
	l := &loader{v: v, cmd: cmd}
	defaults(v)
	v.SetEnvPrefix("JGCTL")
	v.SetEnvKeyReplacer(envKey)
	v.AutomaticEnv()
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if slices.Contains(GlobalFlags, f.Name) {
			bindErr = errors.Join(bindErr, v.BindPFlag(f.Name, f))
		}
	})
	if bindErr != nil {
		return nil, bindErr
	}
	if err := l.readFile(); err != nil {
		return nil, err
	}
	c := &Config{
		Store: v.GetString("store"), Endpoint: v.GetString("endpoint"), Token: v.GetString("token"),
		Output: v.GetString("output"), As: v.GetString("as"),
		Lang: v.GetString("lang"), Holidays: v.GetString("reference.holidays"), Codes: v.GetString("reference.violation_codes"),
		Policy: rules.DefaultPolicy(),
	}
	switch c.Output {
	case "table", "json", "plain":
	default:
		return nil, l.bad("output", "%q: want table, json or plain", c.Output)
	}
	if c.Lang != "zh" && c.Lang != "en" {
		return nil, l.bad("lang", "%q: want zh or en", c.Lang)
	}
	var err error
	if c.LockTimeout, err = time.ParseDuration(v.GetString("lock-timeout")); err != nil || c.LockTimeout < 0 {
		return nil, l.bad("lock-timeout", "%q: want a duration such as 1s or 500ms", v.GetString("lock-timeout"))
	}
	if s := v.GetString("now"); s != "" && c.Endpoint != "" {
		return nil, Usage(rules.ErrUsage, "--now", "--now works on the embedded store only, not with --endpoint")
	} else if s != "" {
		if c.Now, err = parseNow(s); err != nil {
			return nil, l.bad("now", "%q: want RFC 3339 (2026-11-24T10:00:00+08:00) or YYYY-MM-DD [HH:MM:SS] in China time", s)
		}
	}
	if c.As != "" {
		if c.As, err = l.idNumber("as", c.As, c.Now); err != nil {
			return nil, err
		}
	}
	if err := l.policy(&c.Policy); err != nil {
		return nil, err
	}
	c.GatewaySecret = v.GetString("gateway.secret")
	if c.SandboxMode, err = gateway.ParseMode(v.GetString("gateway.sandbox_mode")); err != nil {
		return nil, l.bad("gateway.sandbox_mode", "%q: want approve, decline or timeout", v.GetString("gateway.sandbox_mode"))
	}
	return c, nil
}

// readFile reads --config (or JGCTL_CONFIG), else the default config file
// if there is one.
func (l *loader) readFile() error {
	v := l.v
	path := v.GetString("config")
	if path == "" {
		v.SetConfigName("config")
		v.SetConfigType("yaml")
		v.AddConfigPath(filepath.Join(configDir(), "jgctl"))
		if err := v.ReadInConfig(); err != nil {
			var nf viper.ConfigFileNotFoundError
			if !errors.As(err, &nf) && !errors.Is(err, fs.ErrNotExist) {
				return Usage(rules.ErrConfigFile, "config", "config file %s: %s", v.ConfigFileUsed(), parseProblem(err))
			}
			return nil
		}
		l.file = v.ConfigFileUsed()
		return nil
	}
	src, _ := l.source("config")
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Usage(rules.ErrConfigFile, src, "%s %s: no such file", src, path)
	case err != nil:
		return Usage(rules.ErrConfigFile, src, "%s %s: cannot read it", src, path)
	case fi.IsDir():
		return Usage(rules.ErrConfigFile, src, "%s %s is a directory: give a config file (.yaml, .json or .toml)", src, path)
	}
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if !slices.Contains(viper.SupportedExts, ext) {
		return Usage(rules.ErrConfigFile, src, "%s %s: unknown file type %q: name it .yaml, .json or .toml", src, path, ext)
	}
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return Usage(rules.ErrConfigFile, src, "%s %s: %s", src, path, parseProblem(err))
	}
	l.file = path
	return nil
}

// parseProblem says what is wrong inside a config file, without viper's
// wrapping.
func parseProblem(err error) string {
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied"
	}
	return "not a valid config file: " + err.Error()
}

// idNumber checks that key holds a valid ID number and returns it
// normalised; a bad one is the ID number's own error, naming the source.
func (l *loader) idNumber(key, s string, now time.Time) (string, error) {
	if now.IsZero() {
		now = time.Now()
	}
	id, err := rules.ParseIDNumber(s, rules.DateOf(now.In(rules.China)))
	if err != nil {
		name, _ := l.source(key)
		var re *rules.Error
		if errors.As(err, &re) {
			return "", re.WithField(name)
		}
		return "", l.bad(key, "%q: not a valid ID number", s)
	}
	return id.Number, nil
}

// policy reads the policy.* keys.
func (l *loader) policy(p *rules.Policy) error {
	v := l.v
	var err error
	if p.Fees.ExtendDueOnHoliday, err = strconv.ParseBool(v.GetString("policy.extend_due_on_holiday")); err != nil {
		return l.bad("policy.extend_due_on_holiday", "%q: want true or false", v.GetString("policy.extend_due_on_holiday"))
	}
	if p.OnlineMaxFine, err = rules.ParseMoney(v.GetString("policy.online_max_fine")); err != nil {
		return l.bad("policy.online_max_fine", "%q: want an amount in yuan such as 200 or 200.50", v.GetString("policy.online_max_fine"))
	}
	if p.HandlingTTL, err = time.ParseDuration(v.GetString("policy.handling_ttl")); err != nil || p.HandlingTTL <= 0 {
		return l.bad("policy.handling_ttl", "%q: want a positive duration such as 30m", v.GetString("policy.handling_ttl"))
	}
	for _, lim := range []struct {
		key string
		dst *int
	}{{"policy.max_other_vehicles", &p.MaxOtherVehicles}, {"policy.max_other_drivers", &p.MaxOtherDrivers}} {
		n, err := strconv.Atoi(v.GetString(lim.key))
		if err != nil || n < 0 {
			return l.bad(lim.key, "%q: want a whole number ≥ 0", v.GetString(lim.key))
		}
		*lim.dst = n
	}
	return nil
}

func configDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config")
}

func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateTime, time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, rules.China); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time")
}

// CheckPositive refuses a flag the user set to a number below 1.
func CheckPositive(cmd *cobra.Command, flag string, n int) error {
	if cmd.Flags().Changed(flag) && n < 1 {
		return FlagError(flag, "%d: want a whole number ≥ 1", n)
	}
	return nil
}

// FixedCompletion completes a flag from a fixed list of values.
func FixedCompletion(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}
