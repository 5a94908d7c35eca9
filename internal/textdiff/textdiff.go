// Package textdiff shows how two texts differ, line by line, for tests
// that compare output with a committed file (golden files, generated docs).
package textdiff

import (
	"fmt"
	"strings"
)

// Lines lists the numbered lines where want and got differ, at most limit
// of them (0: all).
func Lines(want, got string, limit int) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, wl, gl)
		if n++; limit > 0 && n == limit {
			break
		}
	}
	return b.String()
}
