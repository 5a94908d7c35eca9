package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestNewDB(t *testing.T) {
	ctx := context.Background()
	for _, iso := range []string{"read committed", "repeatable read", "serializable"} {
		conn, err := pgx.Connect(ctx, NewDB(t, iso))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := conn.QueryRow(ctx, "SHOW transaction_isolation").Scan(&got); err != nil || got != iso {
			t.Errorf("isolation = %q, %v; want %q", got, err, iso)
		}
		conn.Close(ctx)
	}
}
