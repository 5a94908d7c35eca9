package accounts

import "testing"

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
