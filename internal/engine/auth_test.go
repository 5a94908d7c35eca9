package engine

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

func TestPasswordHash(t *testing.T) {
	h := hashPassword("secret123")
	if !verifyPassword("secret123", h) || verifyPassword("secret124", h) {
		t.Fatalf("verify failed for %s", h)
	}
	if h2 := hashPassword("secret123"); h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=0$AA$AA", "$bcrypt$x", h[:len(h)-3]} {
		if verifyPassword("secret123", bad) {
			t.Errorf("verified against %q", bad)
		}
	}
}

func TestLoginTokensAndThrottle(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "a.db"), store.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	e := New(Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	const zhang = "370102199003071238"
	reg := api.RegisterPersonRequest{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456", Password: "short"}
	if _, err := e.RegisterPerson(ctx, api.Staff, reg); !errors.Is(err, &rules.Error{Code: "PASSWORD_WEAK"}) {
		t.Fatalf("weak password: %v", err)
	}
	reg.Password = "zhangsan2026"
	if _, err := e.RegisterPerson(ctx, api.Staff, reg); err != nil {
		t.Fatal(err)
	}
	tok, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Authenticate(ctx, tok.Token)
	if err != nil || a != (api.Actor{Role: api.RolePerson, IDNumber: zhang}) {
		t.Fatalf("authenticate = %+v, %v", a, err)
	}
	// Persons may not mint tokens; staff may, and the embedded staff may bootstrap an admin.
	if _, err := e.CreateToken(ctx, a, api.TokenRequest{Role: api.RoleStaff, Name: "x"}); !errors.Is(err, rules.ErrStaffOnly) {
		t.Fatalf("person creating a token: %v", err)
	}
	admin, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleAdmin, Name: "root"})
	if err != nil {
		t.Fatal(err)
	}
	staffTok, err := e.CreateToken(ctx, api.Actor{Role: api.RoleAdmin, Name: "root"}, api.TokenRequest{Role: api.RoleStaff, Name: "ci", TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateToken(ctx, api.Actor{Role: api.RoleStaff, Name: "ci"}, api.TokenRequest{Role: api.RoleAdmin, Name: "x"}); !errors.Is(err, rules.ErrAdminOnly) {
		t.Fatalf("staff creating an admin token: %v", err)
	}
	if a, err := e.Authenticate(ctx, admin.Token); err != nil || a.Role != api.RoleAdmin {
		t.Fatalf("admin token = %+v, %v", a, err)
	}
	// Expiry and revocation.
	now = now.Add(2 * time.Hour)
	if _, err := e.Authenticate(ctx, staffTok.Token); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("expired token: %v", err)
	}
	if err := e.Logout(ctx, tok.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Authenticate(ctx, tok.Token); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := e.Authenticate(ctx, "jg_forged"); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("forged token: %v", err)
	}
	// Five failures lock the ID number out, even for the right password.
	for range maxFailures {
		if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "wrong-one1"}); !errors.Is(err, rules.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"}); !errors.Is(err, rules.ErrTooManyAttempts) {
		t.Fatalf("after %d failures: %v", maxFailures, err)
	}
	now = now.Add(failureWindow)
	if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// importer adapts the engine (as staff) to examples.Importer.
type importer struct{ e *Engine }

func (i importer) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	return i.e.Import(ctx, api.Staff, r, data, onReject)
}
