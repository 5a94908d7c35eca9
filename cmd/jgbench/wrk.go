package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// wrkScript has wrk send the paths of a file in turn, with one header, and
// print what jgbench reads: requests, seconds, p99 in µs, and errors.
const wrkScript = `
local paths, n, i = {}, 0, 0
for line in io.lines(os.getenv("JGBENCH_PATHS")) do n = n + 1; paths[n] = line end
local auth = os.getenv("JGBENCH_AUTH")
if auth ~= "" then wrk.headers["Authorization"] = auth end
local reqs = {}
init = function(_) -- after wrk has set the Host header
  for k = 1, n do reqs[k] = wrk.format("GET", paths[k]) end
end
request = function() i = i % n + 1; return reqs[i] end
done = function(s, latency, _)
  local e = s.errors
  io.write(string.format("JGBENCH %d %f %d %d\n", s.requests, s.duration / 1e6,
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
`

// wrkLoader runs wrk, the load generator of the reference machine's
// figures, as a process of its own on one thread: the load then costs
// what the reference's did and does not share this process's scheduler.
type wrkLoader struct{ bin, dir string }

// findWrk returns a loader if wrk is installed and not disabled with
// JGBENCH_WRK=0 (the in-process Go client is used then).
func findWrk(dir string) (*wrkLoader, bool) {
	if os.Getenv("JGBENCH_WRK") == "0" {
		return nil, false
	}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return nil, false
	}
	return &wrkLoader{bin: bin, dir: dir}, true
}

// load sends GET requests for paths (in turn) under base from conns
// connections for d, with an Authorization header if auth is set.
func (w *wrkLoader) load(conns int, d time.Duration, base string, paths []string, auth string) result {
	script, list := filepath.Join(w.dir, "load.lua"), filepath.Join(w.dir, "paths")
	check(os.WriteFile(script, []byte(wrkScript), 0o600))
	check(os.WriteFile(list, []byte(strings.Join(paths, "\n")+"\n"), 0o600))
	cmd := exec.Command(w.bin, "-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", max(1, int(d.Round(time.Second)/time.Second))),
		"--timeout", "10s", "-s", script, base)
	cmd.Env = append(os.Environ(), "JGBENCH_PATHS="+list, "JGBENCH_AUTH="+auth)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		check(fmt.Errorf("wrk: %v: %s", err, out.String()))
	}
	_, line, ok := strings.Cut(out.String(), "JGBENCH ")
	if !ok {
		check(fmt.Errorf("wrk printed no summary: %s", out.String()))
	}
	var n, p99, errs int64
	var secs float64
	if _, err := fmt.Sscan(line, &n, &secs, &p99, &errs); err != nil {
		check(fmt.Errorf("wrk's summary %q: %v", line, err))
	}
	if errs > 0 {
		check(fmt.Errorf("wrk: %d of %d requests failed: %s", errs, n, out.String()))
	}
	return result{float64(n) / secs, time.Duration(p99) * time.Microsecond}
}
