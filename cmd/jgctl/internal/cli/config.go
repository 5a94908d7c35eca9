package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	Endpoint    string // a `jgctl serve` URL: every command goes there instead of the store
	Token       string // bearer token for the endpoint ("" = the one saved by login)
	Output      string
	As          string
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

// loadConfig resolves the configuration for the running command.
func loadConfig(cmd *cobra.Command) (*Config, error) {
	v := viper.New()
	defaults(v)
	v.SetEnvPrefix("JGCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if isGlobal(f.Name) {
			bindErr = errors.Join(bindErr, v.BindPFlag(f.Name, f))
		}
	})
	if bindErr != nil {
		return nil, bindErr
	}
	if path := v.GetString("config"); path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, usageErr("--config %s: %v", path, err)
		}
	} else {
		v.SetConfigName("config")
		v.SetConfigType("yaml")
		v.AddConfigPath(filepath.Join(configDir(), "jgctl"))
		if err := v.ReadInConfig(); err != nil {
			var nf viper.ConfigFileNotFoundError
			if !errors.As(err, &nf) && !errors.Is(err, fs.ErrNotExist) {
				return nil, usageErr("config file: %v", err)
			}
		}
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
		return nil, usageErr("--output %q: want table, json or plain", c.Output)
	}
	if c.Lang != "zh" && c.Lang != "en" {
		return nil, usageErr("--lang %q: want zh or en", c.Lang)
	}
	var err error
	if c.LockTimeout, err = time.ParseDuration(v.GetString("lock-timeout")); err != nil {
		return nil, usageErr("--lock-timeout: %v", err)
	}
	if s := v.GetString("now"); s != "" && c.Endpoint != "" {
		return nil, usageErr("--now works on the embedded store only, not with --endpoint")
	} else if s != "" {
		if c.Now, err = parseNow(s); err != nil {
			return nil, usageErr("--now %q: want RFC 3339 (2026-11-24T10:00:00+08:00) or YYYY-MM-DD [HH:MM:SS] in China time", s)
		}
	}
	p := &c.Policy
	if p.Fees.ExtendDueOnHoliday, err = strconv.ParseBool(v.GetString("policy.extend_due_on_holiday")); err != nil {
		return nil, usageErr("policy.extend_due_on_holiday %q: want true or false", v.GetString("policy.extend_due_on_holiday"))
	}
	if p.OnlineMaxFine, err = rules.ParseMoney(v.GetString("policy.online_max_fine")); err != nil {
		return nil, usageErr("policy.online_max_fine: %v", err)
	}
	if p.HandlingTTL, err = time.ParseDuration(v.GetString("policy.handling_ttl")); err != nil || p.HandlingTTL <= 0 {
		return nil, usageErr("policy.handling_ttl %q: want a positive duration such as 30m", v.GetString("policy.handling_ttl"))
	}
	for _, lim := range []struct {
		key string
		dst *int
	}{{"policy.max_other_vehicles", &p.MaxOtherVehicles}, {"policy.max_other_drivers", &p.MaxOtherDrivers}} {
		n, err := strconv.Atoi(v.GetString(lim.key))
		if err != nil || n < 0 {
			return nil, usageErr("%s %q: want a whole number ≥ 0", lim.key, v.GetString(lim.key))
		}
		*lim.dst = n
	}
	c.GatewaySecret = v.GetString("gateway.secret")
	if c.SandboxMode, err = gateway.ParseMode(v.GetString("gateway.sandbox_mode")); err != nil {
		return nil, usageErr("gateway.sandbox_mode: %v", err)
	}
	return c, nil
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
