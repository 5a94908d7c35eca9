package bolt

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
)

// bbolt reads the file through a memory map and trusts what it finds: a
// damaged page makes it (or this package's decoders) index out of range or
// touch memory past the end of the file. Every transaction therefore runs
// with the goroutine's panic-on-fault set and recovers such panics as
// rules.ErrStoreDamaged; bbolt's View and Update roll the transaction back
// on the way out. A panic of the caller's own code is not the file's fault
// and goes on.

// guarded runs fn with faults on the mapped file turned into panics and
// such panics, or panics raised by bbolt or this package, into
// ErrStoreDamaged naming path.
func guarded(path string, fn func() error) (err error) {
	defer func(prev bool) {
		debug.SetPanicOnFault(prev)
		if r := recover(); r != nil {
			if err = damage(r, path); err == nil {
				panic(r)
			}
		}
	}(debug.SetPanicOnFault(true))
	return fn()
}

// damage returns ErrStoreDamaged for a recovered panic r that comes from
// reading the file, else nil. It must be called by the deferred function
// that recovered r, while the panicking frames are still on the stack.
func damage(r any, path string) error {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return rules.ErrStoreDamaged.Withf("%s", path) // a fault on the mapped file
	}
	var pcs [64]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !stdlib(f.Function):
			// The first frame outside the standard library raised it.
			if strings.HasPrefix(f.Function, "go.etcd.io/bbolt") ||
				strings.HasPrefix(f.Function, "github.com/jgctl/jgctl/pkg/store.") && !strings.HasSuffix(f.File, "_test.go") {
				return rules.ErrStoreDamaged.Withf("%s", path)
			}
			return nil
		}
		if !more {
			return nil
		}
	}
}

// stdlib reports whether a function name belongs to the standard library
// (its import path has no dot before the first slash).
func stdlib(fn string) bool {
	if first, _, ok := strings.Cut(fn, "/"); ok {
		return !strings.Contains(first, ".")
	}
	return !strings.HasPrefix(fn, "main.")
}
