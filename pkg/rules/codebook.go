package rules

// ViolationCode is one entry of the violation-code reference table
// (违法代码): its description, points and the statutory fine range.
type ViolationCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Points      int    `json:"points"`
	FineMin     Money  `json:"fine_min"`
	FineMax     Money  `json:"fine_max"`
}

// CodeBook is the violation-code reference data. The zero value knows no
// codes and accepts every record.
type CodeBook struct{ codes map[string]ViolationCode }

// NewCodeBook builds a code book from its entries.
func NewCodeBook(entries []ViolationCode) CodeBook {
	m := make(map[string]ViolationCode, len(entries))
	for _, e := range entries {
		m[e.Code] = e
	}
	return CodeBook{codes: m}
}

// Len returns the number of codes.
func (b CodeBook) Len() int { return len(b.codes) }

// Description returns a known code's description, or "".
func (b CodeBook) Description(code string) string { return b.codes[code].Description }

// Check verifies a record against a known code: its points must be the
// code's points and its fine inside the statutory range. Unknown codes pass.
func (b CodeBook) Check(code string, points int, fine Money) error {
	c, ok := b.codes[code]
	if !ok {
		return nil
	}
	if points != c.Points {
		return ErrCodePointsMismatch.Withf("code %s carries %d points, the record has %d", code, c.Points, points)
	}
	if c.FineMax.IsZero() {
		return nil // no statutory administrative range (e.g. a criminal case)
	}
	if fine.Cmp(c.FineMin) < 0 || fine.Cmp(c.FineMax) > 0 {
		return ErrCodeFineRange.Withf("code %s allows %s to %s, the record has %s", code, c.FineMin, c.FineMax, fine)
	}
	return nil
}
