package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScriptsPostgres runs the end-to-end scripts that do not concern the
// bbolt file itself with JGCTL_STORE naming a PostgreSQL database, one per
// script, migrated by `jgctl store migrate`'s code: every command must give
// the same output and exit status on either backend. flow runs at READ
// COMMITTED and at REPEATABLE READ.
func TestScriptsPostgres(t *testing.T) {
	cluster := pgtest.Private(t)
	dir := t.TempDir()
	isolation := map[string]string{}
	for _, s := range []struct{ name, iso string }{
		{"flow", "read committed"}, {"flow_rr", "repeatable read"}, {"bind_other", "read committed"},
		{"import", "read committed"}, {"remote", "read committed"}, {"exitcodes", "repeatable read"},
	} {
		src := s.name
		if s.name == "flow_rr" {
			src = "flow"
		}
		data, err := os.ReadFile(filepath.Join("testdata", "script", src+".txtar"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".txtar"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		isolation[s.name] = s.iso
	}
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			if err := scriptSetup(env); err != nil {
				return err
			}
			script := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-") // testscript's work directory
			dsn, err := cluster.CreateDB(context.Background(), pgtest.NextName(), isolation[script])
			if err != nil {
				return err
			}
			if _, _, err := app.Migrate(context.Background(), dsn, false); err != nil {
				return err
			}
			env.Setenv("JGCTL_STORE", dsn)
			return nil
		},
		Cmds: scriptCmds,
	})
}
