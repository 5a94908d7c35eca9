package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jgctl/jgctl/pkg/rules"
)

// idWithCheck appends the GB 11643 check character to 17 digits. It is
// written independently of the package: weight of position i (1-based) is
// 2^(18-i) mod 11 and the check value is (12 - sum mod 11) mod 11.
func idWithCheck(t testing.TB, body string) string {
	t.Helper()
	if len(body) != 17 {
		t.Fatalf("idWithCheck: %q is not 17 digits", body)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(body[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return body + "X"
	}
	return body + string(rune('0'+c))
}

// idWrongCheck returns body with a check character that is not the right one.
func idWrongCheck(t testing.TB, body string) (wrong, right string) {
	good := idWithCheck(t, body)
	right = good[17:]
	for _, c := range "0123456789X" {
		if string(c) != right {
			return body + string(c), right
		}
	}
	panic("unreachable")
}

// toFullWidth converts ASCII letters and digits to their full-width forms.
func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7F {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// wantInvalid asserts err is a *rules.Error of kind invalid with the field
// and code given and bilingual messages; it returns the error.
func wantInvalid(t *testing.T, err error, field, code string) *rules.Error {
	t.Helper()
	var e *rules.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *rules.Error %s", err, err, code)
	}
	if e.Code != code || e.Field != field || e.Kind != rules.KindInvalid {
		t.Fatalf("error = code %s field %q kind %v (%v), want code %s field %q kind invalid", e.Code, e.Field, e.Kind, e, code, field)
	}
	if e.EN == "" || !hasHan(e.ZH) {
		t.Fatalf("error %s lacks a bilingual message: zh %q en %q", code, e.ZH, e.EN)
	}
	return e
}

var idToday = rules.NewDate(2025, time.June, 15)

func TestIDWithCheckHelper(t *testing.T) {
	// The helper must reproduce the standard's own examples.
	for _, s := range []string{"11010519491231002X", "440524188001010014", "370102199003071238"} {
		if got := idWithCheck(t, s[:17]); got != s {
			t.Errorf("idWithCheck(%s) = %s, want %s", s[:17], got, s)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "11010519491231002X"},
		{"11010519491231002x", "11010519491231002X"},
		{"  11010519491231002x\t", "11010519491231002X"},
		{"110105 19491231 002X", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"\u3000１１０１０５１９４９１２３１００２Ｘ\u3000", "11010519491231002X"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := rules.NormalizeIDNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseIDNumberValid(t *testing.T) {
	d := rules.NewDate
	tests := []struct {
		name string
		in   string
		want rules.Identity
	}{
		{"standard example", "11010519491231002X", rules.Identity{
			Number: "11010519491231002X", Kind: rules.IDResident, BirthDate: d(1949, 12, 31),
			Sex: "female", Region: "110105", Province: "北京市"}},
		{"lower-case x", "11010519491231002x", rules.Identity{
			Number: "11010519491231002X", Kind: rules.IDResident, BirthDate: d(1949, 12, 31),
			Sex: "female", Region: "110105", Province: "北京市"}},
		{"full-width digits and spaces", "　１１０１０５ １９４９１２３１ ００２ｘ ", rules.Identity{
			Number: "11010519491231002X", Kind: rules.IDResident, BirthDate: d(1949, 12, 31),
			Sex: "female", Region: "110105", Province: "北京市"}},
		{"1880-01-01 example", "440524188001010014", rules.Identity{
			Number: "440524188001010014", Kind: rules.IDResident, BirthDate: d(1880, 1, 1),
			Sex: "male", Region: "440524", Province: "广东省"}},
		{"15-digit legacy upgrade", "370102900307123", rules.Identity{
			Number: "370102199003071238", Kind: rules.IDResident, BirthDate: d(1990, 3, 7),
			Sex: "male", Region: "370102", Province: "山东省", Upgraded: true}},
		{"15-digit legacy, full-width", toFullWidth("370102900307124"), rules.Identity{
			Number: idWithCheck(t, "37010219900307124"), Kind: rules.IDResident, BirthDate: d(1990, 3, 7),
			Sex: "female", Region: "370102", Province: "山东省", Upgraded: true}},
		{"Feb 29 of a leap year", idWithCheck(t, "37020220000229123"), rules.Identity{
			Number: idWithCheck(t, "37020220000229123"), Kind: rules.IDResident, BirthDate: d(2000, 2, 29),
			Sex: "male", Region: "370202", Province: "山东省"}},
		{"born today", idWithCheck(t, "37020220250615002"), rules.Identity{
			Number: idWithCheck(t, "37020220250615002"), Kind: rules.IDResident, BirthDate: d(2025, 6, 15),
			Sex: "female", Region: "370202", Province: "山东省"}},
		{"Taiwan 71 resident", idWithCheck(t, "71000019800101001"), rules.Identity{
			Number: idWithCheck(t, "71000019800101001"), Kind: rules.IDResident, BirthDate: d(1980, 1, 1),
			Sex: "male", Region: "710000", Province: "台湾省"}},
		{"Hong Kong permit", idWithCheck(t, "81000019900101123"), rules.Identity{
			Number: idWithCheck(t, "81000019900101123"), Kind: rules.IDPermitHKMOTW, BirthDate: d(1990, 1, 1),
			Sex: "male", Region: "810000", Province: "香港特别行政区"}},
		{"Macau permit", idWithCheck(t, "82000019851231004"), rules.Identity{
			Number: idWithCheck(t, "82000019851231004"), Kind: rules.IDPermitHKMOTW, BirthDate: d(1985, 12, 31),
			Sex: "female", Region: "820000", Province: "澳门特别行政区"}},
		{"Taiwan permit", idWithCheck(t, "83000019700615005"), rules.Identity{
			Number: idWithCheck(t, "83000019700615005"), Kind: rules.IDPermitHKMOTW, BirthDate: d(1970, 6, 15),
			Sex: "male", Region: "830000", Province: "台湾省"}},
		{"foreign permanent resident", idWithCheck(t, "93784019900101011"), rules.Identity{
			Number: idWithCheck(t, "93784019900101011"), Kind: rules.IDForeignPermanent, BirthDate: d(1990, 1, 1),
			Sex: "male", Region: "370000", Province: "山东省", Nationality: "840"}},
		{"foreign permanent resident, Beijing", idWithCheck(t, "91125020010203018"), rules.Identity{
			Number: idWithCheck(t, "91125020010203018"), Kind: rules.IDForeignPermanent, BirthDate: d(2001, 2, 3),
			Sex: "female", Region: "110000", Province: "北京市", Nationality: "250"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.ParseIDNumber(tt.in, idToday)
			if err != nil {
				t.Fatalf("ParseIDNumber(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseIDNumber(%q) =\n %+v\nwant\n %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseIDNumberInvalid(t *testing.T) {
	wrongStd, _ := idWrongCheck(t, "11010519491231002")
	tests := []struct {
		name, in, code string
		msg            string // substring of the English message, if set
	}{
		{"empty", "", "ID_FORMAT", "18 characters"},
		{"17 digits", "11010519491231002", "ID_FORMAT", "got 17"},
		{"19 characters", "11010519491231002X1", "ID_FORMAT", "got 19"},
		{"16 digits", "3701029003071231", "ID_FORMAT", "got 16"},
		{"letter inside", "110105194912310A2X", "ID_FORMAT", "character 16"},
		{"X not last", "1101051949123100X2", "ID_FORMAT", "character 17"},
		{"bad check character letter", "11010519491231002Y", "ID_FORMAT", "digit or X"},
		{"Chinese character", "11010519491231002号", "ID_FORMAT", "digit or X"},
		{"15 with letter", "37010290030712X", "ID_FORMAT", "all digits"},
		{"wrong check character", wrongStd, "ID_CHECKSUM", `should be 'X'`},
		{"future birth date", idWithCheck(t, "37010220250616123"), "ID_BIRTH_DATE", "after today"},
		{"Feb 29 non-leap 2023", idWithCheck(t, "37010220230229123"), "ID_BIRTH_DATE", "2023-02-29"},
		{"Feb 29 of 1900 (not leap)", idWithCheck(t, "37010219000229123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"Feb 30", idWithCheck(t, "37010219990230123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"month 13", idWithCheck(t, "37010219991301123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"month 00", idWithCheck(t, "37010219990001123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"day 00", idWithCheck(t, "37010219990100123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"April 31", idWithCheck(t, "37010219990431123"), "ID_BIRTH_DATE", "not a real calendar date"},
		{"before 1880", idWithCheck(t, "37010218791231123"), "ID_BIRTH_DATE", "1880-01-01"},
		{"legacy Feb 30", "370102900230123", "ID_BIRTH_DATE", "1990-02-30"},
		{"province 00", idWithCheck(t, "00010219900101123"), "ID_REGION", `"00"`},
		{"province 16", idWithCheck(t, "16010219900101123"), "ID_REGION", `"16"`},
		{"province 72", idWithCheck(t, "72000019900101123"), "ID_REGION", `"72"`},
		{"province 84", idWithCheck(t, "84000019900101123"), "ID_REGION", `"84"`},
		{"permit with other address code", idWithCheck(t, "81010019900101123"), "ID_REGION", "810000"},
		{"foreign with bad province", idWithCheck(t, "99984019900101123"), "ID_REGION", `"99"`},
		{"foreign with Taiwan code", idWithCheck(t, "97184019900101123"), "ID_REGION", "mainland"},
		{"foreign with HK code", idWithCheck(t, "98184019900101123"), "ID_REGION", "mainland"},
		{"legacy with permit code", "810000900101123", "ID_REGION", `"81"`},
		{"legacy with leading 9", "937840900101123", "ID_REGION", `"93"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.ParseIDNumber(tt.in, idToday)
			if err == nil {
				t.Fatalf("ParseIDNumber(%q) = %+v, want %s", tt.in, got, tt.code)
			}
			e := wantInvalid(t, err, "id_number", tt.code)
			if !strings.Contains(e.EN, tt.msg) {
				t.Errorf("message %q does not contain %q", e.EN, tt.msg)
			}
			if got != (rules.Identity{}) {
				t.Errorf("ParseIDNumber(%q) returned %+v with an error", tt.in, got)
			}
		})
	}
}

func TestParseIDNumberChecksumNamesExpected(t *testing.T) {
	for _, body := range []string{"37010219900307123", "11010519491231002", "44052418800101001", "93784019900101011"} {
		wrong, right := idWrongCheck(t, body)
		_, err := rules.ParseIDNumber(wrong, idToday)
		e := wantInvalid(t, err, "id_number", "ID_CHECKSUM")
		if !strings.Contains(e.EN, "'"+right+"'") || !strings.Contains(e.ZH, "“"+right+"”") {
			t.Errorf("%s: messages %q / %q do not name the expected check character %s", wrong, e.EN, e.ZH, right)
		}
		if !strings.Contains(e.EN, "MOD 11-2") {
			t.Errorf("message %q does not name the rule", e.EN)
		}
	}
}

func TestParseIDNumberNoWholeNumberInErrors(t *testing.T) {
	wrong, _ := idWrongCheck(t, "37010219900307123")
	_, err := rules.ParseIDNumber(wrong, idToday)
	if err == nil || strings.Contains(err.Error(), wrong) {
		t.Fatalf("error %v should not repeat the ID number", err)
	}
}

func TestParseIDNumberZeroTodaySkipsFutureCheck(t *testing.T) {
	future := idWithCheck(t, "37010220990101123")
	if _, err := rules.ParseIDNumber(future, rules.Date{}); err != nil {
		t.Fatalf("with a zero today: %v", err)
	}
	if _, err := rules.ParseIDNumber(future, idToday); err == nil {
		t.Fatalf("with today %s a 2099 birth date was accepted", idToday)
	}
}

// creditWithCheck appends the GB 32100 check character, computed
// independently: weight i is 3^i mod 31.
func creditWithCheck(t testing.TB, body string) string {
	t.Helper()
	const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(body) != 17 {
		t.Fatalf("creditWithCheck: %q is not 17 characters", body)
	}
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(cs, body[i])
		if v < 0 {
			t.Fatalf("creditWithCheck: bad character in %q", body)
		}
		sum += v * w
		w = w * 3 % 31
	}
	return body + string(cs[(31-sum%31)%31])
}

func TestParseCreditCode(t *testing.T) {
	const std = "91350100M000100Y43"
	if got := creditWithCheck(t, std[:17]); got != std {
		t.Fatalf("helper disagrees with the known example: %s", got)
	}
	gen := creditWithCheck(t, "91370100MA3C12345")
	gen2 := creditWithCheck(t, "N2110000123456789")
	valid := []struct{ in, want string }{
		{std, std},
		{"91350100m000100y43", std},
		{" 9135 0100 M000 100Y 43 ", std},
		{toFullWidth("91350100m000100y43"), std},
		{gen, gen},
		{strings.ToLower(gen), gen},
		{gen2, gen2},
		{creditWithCheck(t, "Y1110000000000000"), creditWithCheck(t, "Y1110000000000000")},
		{creditWithCheck(t, "A1110000000000000"), creditWithCheck(t, "A1110000000000000")},
	}
	for _, tt := range valid {
		got, err := rules.ParseCreditCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCreditCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}

	wrong := std[:17] + "4"
	invalid := []struct{ name, in, code, msg string }{
		{"empty", "", "CREDIT_CODE_FORMAT", "got 0"},
		{"17 characters", std[:17], "CREDIT_CODE_FORMAT", "got 17"},
		{"19 characters", std + "1", "CREDIT_CODE_FORMAT", "got 19"},
		{"letter I", "91350100MI00100Y43", "CREDIT_CODE_FORMAT", "character 10"},
		{"letter O", "91350100M000100O43", "CREDIT_CODE_FORMAT", "character 16"},
		{"letter Z", "91350100M000100Z43", "CREDIT_CODE_FORMAT", "except I, O, S, V and Z"},
		{"letter S", "S1350100M000100Y43", "CREDIT_CODE_FORMAT", "character 1"},
		{"letter V", "91350100V000100Y43", "CREDIT_CODE_FORMAT", "character 9"},
		{"Chinese character", "91350100M000100Y4号", "CREDIT_CODE_FORMAT", "character 18"},
		{"first 0", creditWithCheck(t, "01350100M000100Y4"), "CREDIT_CODE_FORMAT", "registration authority"},
		{"first H", creditWithCheck(t, "H1350100M000100Y4"), "CREDIT_CODE_FORMAT", "registration authority"},
		{"first P", creditWithCheck(t, "P1350100M000100Y4"), "CREDIT_CODE_FORMAT", "registration authority"},
		{"division code not digits", creditWithCheck(t, "913501A0M000100Y4"), "CREDIT_CODE_FORMAT", "characters 3–8"},
		{"wrong check", wrong, "CREDIT_CODE_CHECKSUM", "should be '3'"},
		{"wrong check, generated", gen[:17] + "0", "CREDIT_CODE_CHECKSUM", "should be '" + gen[17:] + "'"},
	}
	if gen[17] == '0' {
		t.Fatal("test setup: pick another generated code")
	}
	for _, tt := range invalid {
		got, err := rules.ParseCreditCode(tt.in)
		if err == nil {
			t.Errorf("%s: ParseCreditCode(%q) = %q, want %s", tt.name, tt.in, got, tt.code)
			continue
		}
		e := wantInvalid(t, err, "credit_code", tt.code)
		if !strings.Contains(e.EN, tt.msg) {
			t.Errorf("%s: message %q does not contain %q", tt.name, e.EN, tt.msg)
		}
	}
}

func TestParseLicenceFileNo(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"430101758218", "430101758218"},
		{" 430101758218\n", "430101758218"},
		{toFullWidth("370100123456"), "370100123456"},
	} {
		got, err := rules.ParseLicenceFileNo(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLicenceFileNo(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "43010175821", "4301017582180", "43010175821A", "-43010175821", "四三0101758218"} {
		got, err := rules.ParseLicenceFileNo(in)
		if err == nil {
			t.Errorf("ParseLicenceFileNo(%q) = %q, want FILE_NO_FORMAT", in, got)
			continue
		}
		wantInvalid(t, err, "file_no", "FILE_NO_FORMAT")
	}
}

func TestParseMobile(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"19912345678", "19912345678"},
		{" 138 0013 8000 ", "13800138000"},
		{"138-0013-8000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"+8613800138000", "13800138000"},
		{"0086-13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"86 138 0013 8000", "13800138000"},
		{toFullWidth("+86-13800138000"), "13800138000"},
	} {
		got, err := rules.ParseMobile(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMobile(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"", "+86", "1380013800", "138001380001", "12800138000", "10800138000", "23800138000",
		"1380013800a", "+1 202 555 0123", "86138001380", "+85291234567", "(+86)13800138000",
		"+86+8613800138000", "008613800138",
	} {
		got, err := rules.ParseMobile(in)
		if err == nil {
			t.Errorf("ParseMobile(%q) = %q, want PHONE_FORMAT", in, got)
			continue
		}
		wantInvalid(t, err, "phone", "PHONE_FORMAT")
	}
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "440524188001010014", "370102900307123",
		"810000199001011234", "937840199001010120", "１１０１０５１９４９１２３１００２ｘ",
		"110105 19491231 002X", "", "X", "9", "370102190002291234", "11010519491231002Y",
	} {
		f.Add(s)
	}
	codes := map[string]bool{"ID_FORMAT": true, "ID_CHECKSUM": true, "ID_BIRTH_DATE": true, "ID_REGION": true}
	kinds := map[rules.IDKind]bool{rules.IDResident: true, rules.IDPermitHKMOTW: true, rules.IDForeignPermanent: true}
	f.Fuzz(func(t *testing.T, s string) {
		n := rules.NormalizeIDNumber(s)
		if rules.NormalizeIDNumber(n) != n {
			t.Fatalf("NormalizeIDNumber is not idempotent on %q", s)
		}
		id, err := rules.ParseIDNumber(s, idToday)
		if err != nil {
			var e *rules.Error
			if !errors.As(err, &e) || e.Field != "id_number" || !codes[e.Code] || e.Kind != rules.KindInvalid || e.EN == "" || e.ZH == "" {
				t.Fatalf("ParseIDNumber(%q): unexpected error %#v", s, err)
			}
			return
		}
		// Shape.
		num := id.Number
		if len(num) != 18 {
			t.Fatalf("ParseIDNumber(%q).Number = %q, not 18 characters", s, num)
		}
		for i := 0; i < 17; i++ {
			if num[i] < '0' || num[i] > '9' {
				t.Fatalf("Number %q has a non-digit at %d", num, i+1)
			}
		}
		if want := idWithCheck(t, num[:17]); want != num {
			t.Fatalf("Number %q has the wrong check character (want %s)", num, want)
		}
		if !kinds[id.Kind] || (id.Sex != "male" && id.Sex != "female") || len(id.Region) != 6 || id.Province == "" {
			t.Fatalf("ParseIDNumber(%q) = %+v: bad fields", s, id)
		}
		if id.Sex == "male" != ((num[16]-'0')%2 == 1) {
			t.Fatalf("sex %s does not match digit 17 of %s", id.Sex, num)
		}
		if id.BirthDate.After(idToday) || id.BirthDate.Before(rules.NewDate(1880, 1, 1)) {
			t.Fatalf("birth date %s out of range", id.BirthDate)
		}
		if got := strings.ReplaceAll(id.BirthDate.String(), "-", ""); got != num[6:14] {
			t.Fatalf("birth date %s does not match digits 7-14 of %s", id.BirthDate, num)
		}
		if id.Upgraded != (len(n) == 15) {
			t.Fatalf("Upgraded = %v for input %q", id.Upgraded, s)
		}
		if !id.Upgraded && num != n {
			t.Fatalf("Number %q differs from the normalised input %q", num, n)
		}
		// Idempotence: the normalised number re-parses to itself.
		again, err := rules.ParseIDNumber(num, idToday)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", num, err)
		}
		want := id
		want.Upgraded = false
		if again != want {
			t.Fatalf("re-parse of %q = %+v, want %+v", num, again, want)
		}
	})
}

func FuzzParseCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100m000100y43", "", "91350100M000100Y44", "９１３５０１００Ｍ０００１００Ｙ４３", "Y1110000000000000X"} {
		f.Add(s)
	}
	codes := map[string]bool{"CREDIT_CODE_FORMAT": true, "CREDIT_CODE_CHECKSUM": true}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := rules.ParseCreditCode(s)
		if err != nil {
			var e *rules.Error
			if !errors.As(err, &e) || e.Field != "credit_code" || !codes[e.Code] || e.EN == "" || e.ZH == "" {
				t.Fatalf("ParseCreditCode(%q): unexpected error %#v", s, err)
			}
			return
		}
		if len(got) != 18 || !strings.ContainsRune("123456789ABCDEFGNY", rune(got[0])) {
			t.Fatalf("ParseCreditCode(%q) = %q: bad shape", s, got)
		}
		for i := 0; i < 18; i++ {
			if !strings.ContainsRune("0123456789ABCDEFGHJKLMNPQRTUWXY", rune(got[i])) || (i >= 2 && i < 8 && (got[i] < '0' || got[i] > '9')) {
				t.Fatalf("ParseCreditCode(%q) = %q: bad character at %d", s, got, i+1)
			}
		}
		if want := creditWithCheck(t, got[:17]); want != got {
			t.Fatalf("ParseCreditCode(%q) = %q: wrong check (want %s)", s, got, want)
		}
		if again, err := rules.ParseCreditCode(got); err != nil || again != got {
			t.Fatalf("re-parse of %q = %q, %v", got, again, err)
		}
		if again, err := rules.ParseCreditCode(strings.ToLower(got)); err != nil || again != got {
			t.Fatalf("lower-case re-parse of %q = %q, %v", got, again, err)
		}
	})
}
