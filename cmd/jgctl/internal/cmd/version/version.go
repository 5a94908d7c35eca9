// Package version is `jgctl version`: the version, commit and Go version
// jgctl was built with.
package version

import (
	"context"
	"runtime"
	"runtime/debug"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// Version and Commit may be set at build time, e.g.
//
//	go build -ldflags "-X github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/version.Version=v1.2.0 -X github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/version.Commit=abc1234" ./cmd/jgctl
//
// Otherwise they come from the build information Go records (the module
// version with go install, the VCS revision when built in a checkout).
var Version, Commit string

// Info is what `jgctl version` prints (its JSON schema).
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
}

// Get returns the version information of this binary.
func Get() Info {
	i := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && i.Commit == "" {
				i.Commit = s.Value
			}
		}
	}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	return i
}

// String is the one-line form printed by --version.
func (i Info) String() string { return i.Version + " (commit " + i.Commit + ", " + i.GoVersion + ")" }

// VersionOptions are the inputs of `version`.
type VersionOptions struct {
	F *cmdutil.Factory
}

// NewCmdVersion builds `version`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{F: f}
	return &cobra.Command{
		Use:   "version",
		Short: "显示版本 / show the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runVersion(cmd.Context(), opts)
		},
	}
}

func runVersion(_ context.Context, opts *VersionOptions) error {
	i := Get()
	return opts.F.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("版本", "VERSION"), cmdutil.Col("提交", "COMMIT"), cmdutil.Col("Go 版本", "GO")},
		Rows: [][]string{{i.Version, i.Commit, i.GoVersion}},
		JSON: i,
	})
}
