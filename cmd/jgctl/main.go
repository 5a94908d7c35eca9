// Command jgctl runs the traffic-police online service platform: against
// an embedded bbolt store by default.
package main

import (
	"os"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
}
