package cmdutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// load runs LoadConfig for a command given args, as the root does.
func load(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	var cfg *Config
	var err error
	cmd := &cobra.Command{Use: "x", RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, err = LoadConfig(cmd)
		return nil
	}}
	for _, n := range GlobalFlags {
		cmd.Flags().String(n, "", "")
	}
	cmd.SetArgs(args)
	if xerr := cmd.Execute(); xerr != nil {
		t.Fatal(xerr)
	}
	return cfg, err
}

// TestLoadConfigNamesTheSource: a bad value is reported as the flag, the
// environment variable or the config key it came from, with that code.
func TestLoadConfigNamesTheSource(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	for _, k := range []string{"JGCTL_OUTPUT", "JGCTL_AS", "JGCTL_CONFIG", "JGCTL_LANG", "JGCTL_NOW", "JGCTL_LOCK_TIMEOUT"} {
		t.Setenv(k, "")
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("output: xml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "c.conf")
	if err := os.WriteFile(unknown, []byte("output: json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		code, field string
		msg         string
	}{
		{name: "flag", args: []string{"--output", "xml"}, code: "FLAG_VALUE", field: "--output", msg: `--output "xml": want table, json or plain`},
		{name: "env", env: map[string]string{"JGCTL_OUTPUT": "xml"}, code: "ENV_VALUE", field: "JGCTL_OUTPUT", msg: `JGCTL_OUTPUT "xml"`},
		{name: "flag wins over env", env: map[string]string{"JGCTL_LANG": "fr"}, args: []string{"--lang", "de"}, code: "FLAG_VALUE", field: "--lang"},
		{name: "config key", args: []string{"--config", bad}, code: "CONFIG_VALUE", field: "output", msg: "(in " + bad + ")"},
		{name: "config dir", args: []string{"--config", dir}, code: "CONFIG_FILE", field: "--config", msg: "is a directory"},
		{name: "config env dir", env: map[string]string{"JGCTL_CONFIG": dir}, code: "CONFIG_FILE", field: "JGCTL_CONFIG", msg: "is a directory"},
		{name: "config type", args: []string{"--config", unknown}, code: "CONFIG_FILE", field: "--config", msg: `unknown file type "conf"`},
		{name: "lock timeout env", env: map[string]string{"JGCTL_LOCK_TIMEOUT": "-1s"}, code: "ENV_VALUE", field: "JGCTL_LOCK_TIMEOUT"},
		{name: "as flag", args: []string{"--as", "../../x"}, code: "ID_FORMAT", field: "--as"},
		{name: "as env", env: map[string]string{"JGCTL_AS": "370102199003071239"}, code: "ID_CHECKSUM", field: "JGCTL_AS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := load(t, tc.args...)
			var ue *UsageError
			var re *rules.Error
			switch {
			case errors.As(err, &ue):
				if ue.Code.Code != tc.code || ue.Field != tc.field || !strings.Contains(ue.Msg, tc.msg) {
					t.Errorf("got [%s] %s: %q; want [%s] %s: …%s…", ue.Code.Code, ue.Field, ue.Msg, tc.code, tc.field, tc.msg)
				}
			case errors.As(err, &re):
				if re.Code != tc.code || re.Field != tc.field {
					t.Errorf("got [%s] %s; want [%s] %s", re.Code, re.Field, tc.code, tc.field)
				}
			default:
				t.Fatalf("err %v, want a usage error", err)
			}
			if ExitCode(err) != ExitUsage {
				t.Errorf("exit %d, want %d", ExitCode(err), ExitUsage)
			}
		})
	}
}

// TestLoadConfigNormalisesAs: --as is kept as the normalised ID number.
func TestLoadConfigNormalisesAs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err := load(t, "--as", "11010519491231002x")
	if err != nil {
		t.Fatal(err)
	}
	if c.As != "11010519491231002X" {
		t.Errorf("as %q", c.As)
	}
}
