package textdiff

import "testing"

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		limit     int
		out       string
	}{
		{"a\nb", "a\nb", 0, ""},
		{"a\nb", "a\nc", 0, "line 2:\n  want: b\n  got:  c\n"},
		{"a", "a\nx\ny", 1, "line 2:\n  want: \n  got:  x\n"},
	} {
		if got := Lines(tc.want, tc.got, tc.limit); got != tc.out {
			t.Errorf("Lines(%q, %q, %d) = %q, want %q", tc.want, tc.got, tc.limit, got, tc.out)
		}
	}
}
