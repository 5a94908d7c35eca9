// Package serve is `jgctl serve`: the HTTP API over the store.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// ServeOptions are the inputs of `serve`.
type ServeOptions struct {
	F                         *cmdutil.Factory
	Listen, CertFile, KeyFile string
	// AddrFile receives the address actually listened on.
	AddrFile string
}

// NewCmdServe builds `serve`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR [--store PATH]",
		Short: "提供 HTTP/JSON 服务 / serve the HTTP API over the store",
		Long: "Serve the /v1 HTTP API over the store (the same use cases as the embedded commands), with /healthz and\n" +
			"/readyz and Prometheus /metrics. Bank payment notifications (POST /v1/gateway/notifications) need the\n" +
			"HMAC key in config gateway.secret (env JGCTL_GATEWAY_SECRET). Logs are JSON lines on stderr with request\n" +
			"IDs. SIGTERM or SIGINT shuts down gracefully: in-flight\n" +
			"requests finish, then the store closes.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Config.Endpoint != "" {
				return cmdutil.Usage(rules.ErrUsage, "--endpoint", "serve runs on a local store: drop --endpoint")
			}
			if (opts.CertFile == "") != (opts.KeyFile == "") {
				return cmdutil.Usage(rules.ErrUsage, "--tls-cert", "--tls-cert and --tls-key go together")
			}
			if runF != nil {
				return runF(opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:8122", "address to listen on")
	fl.StringVar(&opts.CertFile, "tls-cert", "", "TLS certificate file (PEM)")
	fl.StringVar(&opts.KeyFile, "tls-key", "", "TLS key file (PEM)")
	fl.StringVar(&opts.AddrFile, "addr-file", "", "write the address actually listened on to this file (for --listen :0)")
	return cmd
}

// loadTLS reads the certificate and key before anything is opened, so a
// wrong path fails at once (exit 2) rather than after "serving".
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		return nil, nil
	}
	for _, p := range [][2]string{{"tls-cert", certFile}, {"tls-key", keyFile}} {
		if _, err := os.Stat(p[1]); errors.Is(err, fs.ErrNotExist) {
			return nil, cmdutil.FlagError(p[0], "%s: no such file", p[1])
		} else if err != nil {
			return nil, cmdutil.FlagError(p[0], "%s: cannot read it", p[1])
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, cmdutil.FlagError("tls-cert", "%s with --tls-key %s: not a matching PEM certificate and key", certFile, keyFile)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	f := opts.F
	tlsConf, err := loadTLS(opts.CertFile, opts.KeyFile)
	if err != nil {
		return err
	}
	metrics := server.NewMetrics()
	e, st, err := f.Engine(cmdutil.Create, embedded.FastCommits(), embedded.OnStoreRetry(metrics.StoreRetried))
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewJSONHandler(f.IO.Err, nil))
	server.TuneGC()
	srv := &http.Server{
		Handler: server.Serving(e, server.Options{Log: log, Metrics: metrics,
			NotifySecret: []byte(f.Config.GatewaySecret)}),
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Minute, // imports stream large bodies
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return cmdutil.FlagError("listen", "%s: cannot listen there (%v)", opts.Listen, err)
	}
	if opts.AddrFile != "" {
		if err := os.WriteFile(opts.AddrFile, []byte(ln.Addr().String()), 0o600); err != nil {
			return err
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "store", f.Config.Store, "tls", tlsConf != nil)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() {
		if tlsConf != nil {
			done <- srv.ServeTLS(ln, "", "")
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
