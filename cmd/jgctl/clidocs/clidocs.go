// Package clidocs writes jgctl's command reference (docs/cli/) from the
// command tree itself, so the reference cannot drift from the CLI. It lives
// under cmd/jgctl to reach the internal command packages; cmd/gen-docs runs it.
package clidocs

import (
	"io"
	"os"
	"path/filepath"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/root"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra/doc"
)

// Generate writes one Markdown file per command into dir (created if
// needed), after removing the jgctl*.md files a previous run left there,
// so that a removed command loses its page.
func Generate(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "jgctl*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	cmd := root.NewCmdRoot(&cmdutil.Factory{IO: cmdutil.IO{In: eofReader{}, Out: io.Discard, Err: io.Discard}})
	cmd.DisableAutoGenTag = true
	// cobra adds `completion` and --version when a command runs; the
	// reference lists them too.
	cmd.InitDefaultCompletionCmd()
	cmd.InitDefaultVersionFlag()
	return doc.GenMarkdownTree(cmd, dir)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
