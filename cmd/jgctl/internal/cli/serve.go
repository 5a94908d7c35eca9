package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/spf13/cobra"
)

func newServeCmd(f *Factory) *cobra.Command {
	var listen, certFile, keyFile, addrFile string
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
				return usageErr("serve runs on a local store: drop --endpoint")
			}
			if (certFile == "") != (keyFile == "") {
				return usageErr("--tls-cert and --tls-key go together")
			}
			opts, err := f.embeddedOptions()
			if err != nil {
				return err
			}
			c, err := embedded.Open(f.Config.Store, append(opts, embedded.FastCommits())...)
			if err != nil {
				return err
			}
			defer c.Close()
			log := slog.New(slog.NewJSONHandler(f.IO.Err, nil))
			server.TuneGC()
			srv := &http.Server{
				Handler: server.Serving(c.Engine(), server.Options{Log: log, Metrics: server.NewMetrics(),
					NotifySecret: []byte(f.Config.GatewaySecret)}),
				ReadHeaderTimeout: 5 * time.Second,
				ReadTimeout:       10 * time.Minute, // imports stream large bodies
				WriteTimeout:      10 * time.Minute,
				IdleTimeout:       2 * time.Minute,
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return usageErr("--listen %s: %v", listen, err)
			}
			if addrFile != "" {
				if err := os.WriteFile(addrFile, []byte(ln.Addr().String()), 0o600); err != nil {
					return err
				}
			}
			log.Info("serving", "addr", ln.Addr().String(), "store", f.Config.Store, "tls", certFile != "")
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			done := make(chan error, 1)
			go func() {
				if certFile != "" {
					done <- srv.ServeTLS(ln, certFile, keyFile)
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
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8122", "address to listen on")
	cmd.Flags().StringVar(&certFile, "tls-cert", "", "TLS certificate file (PEM)")
	cmd.Flags().StringVar(&keyFile, "tls-key", "", "TLS key file (PEM)")
	cmd.Flags().StringVar(&addrFile, "addr-file", "", "write the address actually listened on to this file (for --listen :0)")
	return cmd
}
