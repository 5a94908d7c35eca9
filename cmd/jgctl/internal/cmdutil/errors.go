package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/pflag"
)

// Exit codes the commands name (docs/exit-codes.md); an error's follows
// from its kind (rules.Kind.ExitCode).
const (
	ExitOK     = 0
	ExitError  = 1
	ExitUsage  = 2
	ExitDenied = 5
	// ExitInterrupted is the status of a run stopped by Ctrl-C (128+SIGINT).
	ExitInterrupted = 130
)

// UsageError is a mistake in how jgctl was called (exit 2): its code is
// one of the rules.ErrUsage family, Field names the flag, environment
// variable or config key in the user's terms, and Msg says what is wrong.
type UsageError struct {
	Code  *rules.Error
	Field string
	Msg   string
}

func (e *UsageError) Error() string { return e.Msg }

// Is makes errors.Is(err, rules.ErrFlagValue) and the like work.
func (e *UsageError) Is(target error) bool { return errors.Is(e.Code, target) }

// Usage returns a usage error with a code, naming field.
func Usage(code *rules.Error, field, format string, args ...any) error {
	return &UsageError{Code: code, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// FlagError is a usage error about the value of a flag (FLAG_VALUE).
func FlagError(flag, format string, args ...any) error {
	return Usage(rules.ErrFlagValue, "--"+flag, "--"+flag+" "+format, args...)
}

// SilentError carries an exit status for a failure already reported.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ExitCode maps an error to the documented exit status.
func ExitCode(err error) int {
	var ue *UsageError
	var se *SilentError
	switch {
	case errors.As(err, &se):
		return se.Code
	case errors.As(err, &ue):
		return ExitUsage
	}
	var re *rules.Error
	if !errors.As(err, &re) {
		if isCobraUsage(err) {
			return ExitUsage
		}
		return ExitError
	}
	return re.Kind.ExitCode()
}

// isCobraUsage recognises cobra's own argument and command errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "required flag", "if any flags in the group", "none of the others can be", "at least one of the flags"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// FlagParseError turns pflag's parse errors into usage errors in the
// user's terms: a bad value names the flag and what it wants, without
// Go's parser messages (strconv.ParseUint: …).
func FlagParseError(err error) error {
	var iv *pflag.InvalidValueError
	if !errors.As(err, &iv) {
		return Usage(rules.ErrUsage, "", "%v", err)
	}
	want := map[string]string{
		"int": "a whole number", "uint64": "a whole number ≥ 0", "duration": "a duration such as 1s, 30m or 720h",
		"bool": "true or false",
	}[iv.GetFlag().Value.Type()]
	if want == "" {
		want = "a valid " + iv.GetFlag().Value.Type()
	}
	return FlagError(iv.GetFlag().Name, "%q: want %s", iv.GetValue(), want)
}

// PrintError reports err once on stderr: as a JSON object with -o json,
// else as text in the chosen language.
func PrintError(f *Factory, err error) {
	var se *SilentError
	if errors.As(err, &se) {
		return
	}
	lang, output := "en", "table"
	if f.Config != nil {
		lang, output = f.Config.Lang, f.Config.Output
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		if output == "json" {
			obj := map[string]string{"code": ue.Code.Code, "message": ue.Msg, "message_zh": ue.Code.ZH + "：" + ue.Msg, "kind": ue.Code.Kind.String()}
			if ue.Field != "" {
				obj["field"] = ue.Field
			}
			WriteJSON(f.IO.Err, map[string]any{"error": obj})
			return
		}
		fmt.Fprintf(f.IO.Err, "%s: %s [%s]\n", T(lang, "错误", "Error"), ue.Msg, ue.Code.Code)
		fmt.Fprintln(f.IO.Err, T(lang, "运行 'jgctl --help' 查看用法。", "Run 'jgctl --help' for usage."))
		return
	}
	var re *rules.Error
	if !errors.As(err, &re) {
		if output == "json" {
			obj := map[string]string{"code": rules.ErrOther.Code, "message": err.Error()}
			if ExitCode(err) == ExitUsage { // cobra's own argument and flag errors
				obj["code"], obj["kind"] = rules.ErrUsage.Code, rules.ErrUsage.Kind.String()
			}
			WriteJSON(f.IO.Err, map[string]any{"error": obj})
			return
		}
		fmt.Fprintf(f.IO.Err, "%s: %v\n", T(lang, "错误", "Error"), err)
		if ExitCode(err) == ExitUsage {
			fmt.Fprintln(f.IO.Err, T(lang, "运行 'jgctl --help' 查看用法。", "Run 'jgctl --help' for usage."))
		}
		return
	}
	if output == "json" {
		obj := map[string]string{"code": re.Code, "message": re.EN, "message_zh": re.ZH, "kind": re.Kind.String()}
		if re.Field != "" {
			obj["field"] = re.Field
		}
		WriteJSON(f.IO.Err, map[string]any{"error": obj})
		return
	}
	msg := re.Message(lang)
	if re.Field != "" {
		msg = re.Field + ": " + msg
	}
	fmt.Fprintf(f.IO.Err, "%s: %s [%s]\n", T(lang, "错误", "Error"), msg, re.Code)
}

// T picks the Chinese or English text.
func T(lang, zh, en string) string {
	if lang == "zh" {
		return zh
	}
	return en
}
