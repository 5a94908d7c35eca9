// Command jgctl runs the traffic-police online service platform: against
// an embedded bbolt store by default.
package main

import (
	"os"
	"runtime/debug"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/root"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		// Keep a streaming import's heap small: the garbage collector
		// works harder rather than letting the heap double (GOGC) past this.
		debug.SetMemoryLimit(64 << 20)
	}
	os.Exit(root.Main(os.Args[1:], cmdutil.StdIO()))
}
