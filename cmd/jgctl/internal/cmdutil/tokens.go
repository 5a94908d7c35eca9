package cmdutil

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
)

// TokensPath is where login keeps tokens: one per endpoint, mode 0600.
func TokensPath() string { return filepath.Join(configDir(), "jgctl", "tokens.json") }

// SavedTokens returns the tokens login saved, by endpoint.
func SavedTokens() map[string]string {
	m := map[string]string{}
	if b, err := os.ReadFile(TokensPath()); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

// SaveToken keeps token for endpoint ("" forgets it).
func SaveToken(endpoint, token string) error {
	m := SavedTokens()
	if token == "" {
		delete(m, endpoint)
	} else {
		m[endpoint] = token
	}
	if err := os.MkdirAll(filepath.Dir(TokensPath()), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	tmp := TokensPath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, TokensPath())
}

// ReadPassword reads one line from standard input (--password-stdin).
func ReadPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", Usage(rules.ErrFlagValue, "--password-stdin", "--password-stdin: no password on standard input")
	}
	return pw, nil
}
