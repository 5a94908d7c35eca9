package rules

import "fmt"

// Errors of the command line: how jgctl was called (a flag, an argument, an
// environment variable or the config file), not the data it works on.
var (
	ErrUsage       = newErr(KindInvalid, "USAGE", "用法错误", "usage error")
	ErrFlagValue   = newErr(KindInvalid, "FLAG_VALUE", "命令行参数值无效", "invalid flag value")
	ErrEnvValue    = newErr(KindInvalid, "ENV_VALUE", "环境变量的值无效", "invalid environment variable")
	ErrConfigFile  = newErr(KindInvalid, "CONFIG_FILE", "配置文件无法使用", "the config file cannot be used")
	ErrConfigValue = newErr(KindInvalid, "CONFIG_VALUE", "配置项的值无效", "invalid config value")
	ErrInterrupted = newErr(KindInternal, "INTERRUPTED", "已中断", "interrupted")
	// ErrOther is the code -o json prints for a failure that has no code
	// of its own.
	ErrOther = newErr(KindInternal, "ERROR", "错误", "error")
)

// Interrupted is ErrInterrupted for a run stopped (Ctrl-C) after it had
// committed rows.
func Interrupted(committed int) *Error {
	e := *ErrInterrupted
	e.ZH = fmt.Sprintf("%s；已提交 %d 行", e.ZH, committed)
	e.EN = fmt.Sprintf("%s; %d rows committed", e.EN, committed)
	return &e
}
