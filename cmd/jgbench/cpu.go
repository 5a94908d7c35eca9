package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procStat returns the fields of a process's /proc stat line after its
// command, or nil if it is gone: state and parent are the first two,
// utime, stime, cutime and cstime the 12th to the 15th.
func procStat(pid string) []string {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 15 {
		return nil
	}
	return f
}

// procCPU is the user plus system CPU time a process has used ("self"
// for this one), with that of its ended children if asked; 0 if it is gone.
func procCPU(pid string, children bool) time.Duration {
	f := procStat(pid)
	if f == nil {
		return 0
	}
	var t int64
	for i := 11; i < 13 || children && i < 15; i++ {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		t += n
	}
	return time.Duration(t) * clockTick
}

// cpuMeter totals the CPU time used during loads by this process (the
// server, and the load generator unless wrk sends the load) and by the
// database server: its postmaster, its processes, and those that ended
// (a connection closed mid-query ends its process).
type cpuMeter struct {
	dsn        string
	postmaster string
	self, db   time.Duration
	requests   float64
}

// dbCPU is the CPU time of the database server so far.
func (m *cpuMeter) dbCPU() time.Duration {
	if m.postmaster == "" {
		conn, err := pgx.Connect(context.Background(), m.dsn)
		check(err)
		var pid int
		check(conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid))
		f := procStat(strconv.Itoa(pid))
		conn.Close(context.Background())
		if f == nil {
			check(fmt.Errorf("no process %d: the database must run on this machine", pid))
		}
		m.postmaster = f[1]
	}
	t := procCPU(m.postmaster, true)
	dirs, err := os.ReadDir("/proc")
	check(err)
	for _, d := range dirs {
		if f := procStat(d.Name()); f != nil && f[1] == m.postmaster {
			t += procCPU(d.Name(), false)
		}
	}
	return t
}

// measure runs a load of d and adds its CPU time and requests.
func (m *cpuMeter) measure(d time.Duration, run func() result) result {
	self, db := procCPU("self", false), m.dbCPU()
	r := run()
	m.self += procCPU("self", false) - self
	m.db += m.dbCPU() - db
	m.requests += r.rate * d.Seconds()
	return r
}

// report prints the CPU time per request.
func (m *cpuMeter) report(what string) {
	per := func(t time.Duration) string {
		return fmt.Sprintf("%.0f µs", float64(t.Microseconds())/m.requests)
	}
	row("… CPU per request: "+what+" (this process; the database server)", per(m.self)+" + "+per(m.db), "", 0, "")
}
