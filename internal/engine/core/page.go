package core

import "github.com/jgctl/jgctl/pkg/rules"

// Page sizes of the listings: a staff listing without a limit gets
// DefaultPage records, and no listing gives more than MaxPage at once
// (follow its next cursor for the rest).
const (
	DefaultPage = 1000
	MaxPage     = 1000
)

// PageLimit checks a requested page size; 0 gives def.
func PageLimit(n, def int) (int, error) {
	switch {
	case n < 0:
		return 0, rules.ErrQueryValue.WithField("limit")
	case n > MaxPage:
		return 0, rules.ErrLimitTooLarge.WithField("limit").Withf("at most %d, asked %d", MaxPage, n)
	case n == 0:
		return def, nil
	}
	return n, nil
}
