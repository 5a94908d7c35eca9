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

// procCPU is the user plus system CPU time a process has used ("self"
// for this one), from /proc; 0 if it is gone.
func procCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis: utime, stime are the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * clockTick
}

// cpuMeter totals the CPU time used during loads by this process (server
// and load generator) and by the database's server processes.
type cpuMeter struct {
	dsn      string
	self, db time.Duration
	requests float64
}

// list returns the server processes of the meter's database.
func (m *cpuMeter) list() []string {
	conn, err := pgx.Connect(context.Background(), m.dsn)
	check(err)
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	check(err)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	check(err)
	return pids
}

func (m *cpuMeter) dbCPU(pids []string) time.Duration {
	var t time.Duration
	for _, p := range pids {
		t += procCPU(p)
	}
	return t
}

// measure runs a load of d and adds its CPU time and requests.
func (m *cpuMeter) measure(d time.Duration, run func() result) result {
	pids := m.list()
	self, db := procCPU("self"), m.dbCPU(pids)
	r := run()
	pids = m.list() // the pool may have grown: a new process counts from 0
	m.self += procCPU("self") - self
	m.db += m.dbCPU(pids) - db
	m.requests += r.rate * d.Seconds()
	return r
}

// report prints the CPU time per request.
func (m *cpuMeter) report(what string) {
	per := func(t time.Duration) string {
		return fmt.Sprintf("%.0f µs", float64(t.Microseconds())/m.requests)
	}
	row("… CPU per request: "+what+" (this process: server and load generator; PostgreSQL's server processes)",
		per(m.self)+" + "+per(m.db), "", 0, "")
}
