package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
)

// pgServer is how the benchmarks' PostgreSQL server is set up: durable,
// with a buffer cache of 1 GB (a quarter of a small server's memory, the
// usual sizing, and enough for the tables of a 1M-record benchmark).
var pgServer = append(pgtest.Durable, "shared_buffers = 1GB")

// pgRun is `jgctl serve`'s handler stack on loopback over a private
// PostgreSQL server holding n generated records (from, across plates).
type pgRun struct {
	dsn, url, auth string
	stop           func()
}

func startPG(from, n, plates int) *pgRun {
	ctx := context.Background()
	cluster, err := pgtest.Start(ctx, pgServer...)
	check(err)
	onFailure = append(onFailure, cluster.Stop)
	dsn, err := cluster.CreateDB(ctx, "jgbench", "read committed")
	check(err)
	_, _, err = app.Migrate(ctx, dsn, false)
	check(err)
	e, st, err := app.Open(dsn, app.Config{Now: now})
	check(err)
	dir, err := os.MkdirTemp("", "jgbench-pg-")
	check(err)
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "records.csv")
	genCSVPlates(src, from, n, plates, 1)
	importFile(func(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
		return e.Import(ctx, api.Staff, r, data, onReject)
	}, src)
	tok, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "bench"})
	check(err)
	server.TuneGC()
	url, stop := serveLoopback(server.Serving(e, server.Options{Metrics: server.NewMetrics(), Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	return &pgRun{dsn: dsn, url: url, auth: "Bearer " + tok.Token, stop: func() { stop(); st.Close(); cluster.Stop() }}
}
