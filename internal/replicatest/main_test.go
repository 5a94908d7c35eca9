package replicatest_test

import (
	"os"
	"testing"

	"github.com/jgctl/jgctl/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
