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
		return 0, rules.Invalid("limit", "QUERY_VALUE", "每页条数必须是非负整数", "limit must be a whole number ≥ 0")
	case n > MaxPage:
		return 0, rules.ErrLimitTooLarge.WithField("limit").Withf("at most %d, asked %d", MaxPage, n)
	case n == 0:
		return def, nil
	}
	return n, nil
}
