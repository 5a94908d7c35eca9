package server

import (
	"os"
	"runtime/debug"
)

// TuneGC sets the garbage collector for serving unless GOGC is set. A
// server's live heap is small (records live in the mapped store file, not
// the heap) while each listing allocates tens of kilobytes, so the default
// GOGC=100 collects dozens of times a second under load, each time scanning
// every connection's goroutine stack. 400 collects a quarter as often for a
// few megabytes more heap; the process's memory limit still bounds it.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
