package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// IDKind is the kind of identity document an 18-character ID number
// belongs to. All three share the GB 11643 layout and check character.
type IDKind string

// ID number kinds.
const (
	// IDResident is the resident identity card (居民身份证, GB 11643-1999).
	IDResident IDKind = "resident"
	// IDPermitHKMOTW is the residence permit for Hong Kong, Macau and Taiwan
	// residents (港澳台居民居住证): address code 810000, 820000 or 830000.
	IDPermitHKMOTW IDKind = "residence_permit"
	// IDForeignPermanent is the foreign permanent resident ID card
	// (外国人永久居留身份证, 2023 format): "9", the two-digit province code of
	// the accepting authority, a three-digit nationality code, then birth
	// date, sequence, sex and check character as for residents.
	IDForeignPermanent IDKind = "foreign_permanent"
)

// Identity is what an ID number tells about its holder.
type Identity struct {
	Number    string `json:"number"` // normalised 18 characters, upper-case X
	Kind      IDKind `json:"kind"`
	BirthDate Date   `json:"birth_date"`
	Sex       string `json:"sex"` // "male" | "female" (odd/even 17th digit)
	// Region is the 6-digit address code (GB/T 2260). For the foreign
	// permanent resident card, which has no address code, it is the
	// accepting province's code, e.g. "370000".
	Region   string `json:"region"`
	Province string `json:"province"` // Chinese name, e.g. "山东省", "香港特别行政区"
	// Nationality is the 3-digit nationality code (GB/T 2659) of a foreign
	// permanent resident card (digits 4–6); empty for other kinds.
	Nationality string `json:"nationality,omitempty"`
	Upgraded    bool   `json:"upgraded,omitempty"` // input was a 15-digit legacy number
}

// Sex values of Identity.Sex.
const (
	SexMale   = "male"
	SexFemale = "female"
)

// idProvinceNames maps the two-digit province codes that ID numbers may
// start with (GB/T 2260, plus 81/82/83 of the HK/Macau/Taiwan residence
// permits) to their names. Read-only.
var idProvinceNames = map[string]string{
	"11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
	"21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
	"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
	"41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
	"50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
	"61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
	"71": "台湾省",
	"81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾省",
}

// idMainland reports whether code is one of the 31 mainland province codes.
func idMainland(code string) bool {
	switch code {
	case "71", "81", "82", "83":
		return false
	}
	_, ok := idProvinceNames[code]
	return ok
}

// idResidentProvince reports whether a resident ID card may start with code:
// a mainland province or 71 (Taiwan).
func idResidentProvince(code string) bool {
	return idMainland(code) || code == "71"
}

// idWeights are the GB 11643 / ISO 7064 MOD 11-2 weights 2^(18-i) mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// idCheckChar returns the check character of the first 17 digits of body.
func idCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// foldWidth maps full-width ASCII forms (U+FF01–U+FF5E) and the
// ideographic space to their ASCII equivalents; other runes are unchanged.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// foldCode removes all white space (so "110105 19491231 002X" is accepted),
// converts full-width letters and digits to ASCII and upper-cases ASCII
// letters. It is idempotent.
func foldCode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = foldWidth(r)
		if unicode.IsSpace(r) {
			continue
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeIDNumber removes spaces (leading, trailing and inner), converts
// full-width digits and letters to ASCII and upper-cases x. It does not
// validate.
func NormalizeIDNumber(s string) string { return foldCode(s) }

// idErr explains an ID number refusal.
func idErr(e *Error, zh, en string, args ...any) *Error {
	return e.WithDetail(fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

// ParseIDNumber validates an ID number (resident ID card, HK/Macau/Taiwan
// residence permit or 2023 foreign permanent resident card) as of today and
// returns what it encodes. The rules, in the order they are checked:
//
//   - format (ID_FORMAT): after NormalizeIDNumber, 18 characters, the first
//     17 digits and the last a digit or X; or a 15-digit legacy number
//     (GB 11643-1989: 6 address + YYMMDD + 3 sequence), which is upgraded by
//     inserting "19" before YY and appending the check character
//     (Identity.Upgraded). Sequences 996–999, said by some to mark people
//     born in the 1800s, are not treated specially.
//   - region (ID_REGION): the first two digits are a known province code
//     (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71), or the number starts
//     with 810000, 820000 or 830000 (residence permit), or with 9 followed
//     by a mainland province code (foreign permanent resident card). A
//     legacy 15-digit number must be a resident number. Only the province
//     part of the address code is checked, since GB/T 2260 changes yearly.
//   - birth date (ID_BIRTH_DATE): digits 7–14 are a real calendar date,
//     not before 1880-01-01 and not after today (skipped if today is zero).
//   - check character (ID_CHECKSUM): ISO 7064 MOD 11-2 over the first 17
//     digits with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
//
// Error messages never repeat the whole number (it is personal data).
func ParseIDNumber(s string, today Date) (Identity, error) {
	n := NormalizeIDNumber(s)
	var id Identity
	switch utf8.RuneCountInString(n) {
	case 15:
		if !digitsOnly(n) {
			return Identity{}, idErr(ErrIDFormat,
				"15位旧身份证号码必须全部是数字",
				"a 15-character legacy ID number must be all digits")
		}
		if !idResidentProvince(n[:2]) {
			return Identity{}, idErr(ErrIDRegion,
				"身份证号码前两位“%s”不是有效的省级行政区划代码（GB/T 2260）",
				"the first two digits %q are not a known province code (GB/T 2260)", n[:2])
		}
		body := n[:6] + "19" + n[6:]
		n = body + string(idCheckChar(body))
		id.Upgraded = true
	case 18:
		for i, r := range []rune(n) {
			switch {
			case i < 17 && (r < '0' || r > '9'):
				return Identity{}, idErr(ErrIDFormat,
					"身份证号码前17位必须是数字，第%d位是%q",
					"the first 17 characters of an ID number must be digits; character %d is %q", i+1, r)
			case i == 17 && (r < '0' || r > '9') && r != 'X':
				return Identity{}, idErr(ErrIDFormat,
					"身份证号码第18位（校验码）必须是数字或X，实际是%q",
					"the 18th character of an ID number (the check character) must be a digit or X; got %q", r)
			}
		}
	default:
		return Identity{}, idErr(ErrIDFormat,
			"身份证号码应为18位（旧号码为15位数字），实际为%d位",
			"an ID number has 18 characters (or 15 digits for a legacy number); got %d",
			utf8.RuneCountInString(n))
	}

	// Region and kind.
	switch code := n[:2]; {
	case n[0] == '9':
		prov := n[1:3]
		if !idMainland(prov) {
			return Identity{}, idErr(ErrIDRegion,
				"外国人永久居留身份证号码（以9开头）第2-3位应为内地省级行政区划代码，“%s”不是",
				"on a foreign permanent resident ID card (leading 9) digits 2–3 must be a mainland province code; %q is not", prov)
		}
		id.Kind, id.Region, id.Province, id.Nationality = IDForeignPermanent, prov+"0000", idProvinceNames[prov], n[3:6]
	case code == "81" || code == "82" || code == "83":
		if n[2:6] != "0000" {
			return Identity{}, idErr(ErrIDRegion,
				"港澳台居民居住证号码的地址码必须是810000、820000或830000",
				"a Hong Kong, Macau or Taiwan residence permit number must start with the address code 810000, 820000 or 830000")
		}
		id.Kind, id.Region, id.Province = IDPermitHKMOTW, n[:6], idProvinceNames[code]
	default:
		if !idResidentProvince(code) {
			return Identity{}, idErr(ErrIDRegion,
				"身份证号码前两位“%s”不是有效的省级行政区划代码（GB/T 2260）",
				"the first two digits %q are not a known province code (GB/T 2260)", code)
		}
		id.Kind, id.Region, id.Province = IDResident, n[:6], idProvinceNames[code]
	}

	// Birth date.
	shown := n[6:10] + "-" + n[10:12] + "-" + n[12:14]
	bd, ok := idBirthDate(n[6:14])
	switch {
	case !ok:
		return Identity{}, idErr(ErrIDBirthDate,
			"身份证号码中的出生日期%s不是有效的日期",
			"the birth date %s in the ID number is not a real calendar date", shown)
	case n[6:10] < "1880":
		return Identity{}, idErr(ErrIDBirthDate,
			"身份证号码中的出生日期%s早于1880-01-01",
			"the birth date %s in the ID number is before 1880-01-01", shown)
	case !today.IsZero() && bd.After(today):
		return Identity{}, idErr(ErrIDBirthDate,
			"身份证号码中的出生日期%s晚于今天（%s）",
			"the birth date %s in the ID number is after today (%s)", shown, today)
	}
	id.BirthDate = bd

	// Check character.
	if want := idCheckChar(n); n[17] != want {
		return Identity{}, idErr(ErrIDChecksum,
			"按GB 11643（ISO 7064 MOD 11-2）第18位应为“%c”，实际为“%c”",
			"under GB 11643 (ISO 7064 MOD 11-2) the 18th character should be %q, not %q",
			want, n[17])
	}

	id.Number = n
	if (n[16]-'0')%2 == 1 {
		id.Sex = SexMale
	} else {
		id.Sex = SexFemale
	}
	return id, nil
}

// idBirthDate parses 8 digits YYYYMMDD and reports whether they name a
// real calendar date (so 19000229 and 20230229 are rejected).
func idBirthDate(s string) (Date, bool) {
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m := int(s[4]-'0')*10 + int(s[5]-'0')
	d := int(s[6]-'0')*10 + int(s[7]-'0')
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}, false
	}
	dt := NewDate(y, time.Month(m), d)
	yy, mm, dd := dt.YMD()
	return dt, yy == y && int(mm) == m && dd == d
}

// Unified social credit code (统一社会信用代码, GB 32100-2015).
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^i mod 31 for i = 0..16.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditErr explains a credit-code refusal.
func creditErr(e *Error, zh, en string, args ...any) *Error {
	return e.WithDetail(fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

// ParseCreditCode validates a unified social credit code (GB 32100-2015)
// and returns it normalised (spaces removed, full-width converted,
// upper-case). Rules: 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY"
// (no I, O, S, V, Z); the first (registration authority) is 1–9, A–G, N or
// Y; characters 3–8 (administrative division code) are digits
// (CREDIT_CODE_FORMAT); the 18th is the check character
// (31 − Σ value×weight mod 31) mod 31 with weights 3^i mod 31
// (CREDIT_CODE_CHECKSUM).
func ParseCreditCode(s string) (string, error) {
	n := foldCode(s)
	if c := utf8.RuneCountInString(n); c != 18 {
		return "", creditErr(ErrCreditCodeFormat,
			"统一社会信用代码应为18位，实际为%d位",
			"a unified social credit code has 18 characters; got %d", c)
	}
	for i, r := range []rune(n) {
		if r > 0x7F || strings.IndexByte(creditCharset, byte(r)) < 0 {
			return "", creditErr(ErrCreditCodeFormat,
				"统一社会信用代码只能由数字和除I、O、S、V、Z以外的大写字母组成，第%d位是%q",
				"a unified social credit code uses only digits and the letters A–Z except I, O, S, V and Z; character %d is %q", i+1, r)
		}
	}
	if strings.IndexByte("123456789ABCDEFGNY", n[0]) < 0 {
		return "", creditErr(ErrCreditCodeFormat,
			"统一社会信用代码第1位（登记管理部门代码）应为1-9、A-G、N或Y",
			"the first character of a unified social credit code (registration authority) must be 1–9, A–G, N or Y")
	}
	if !digitsOnly(n[2:8]) {
		return "", creditErr(ErrCreditCodeFormat,
			"统一社会信用代码第3-8位（登记管理机关行政区划码）必须是数字",
			"characters 3–8 of a unified social credit code (administrative division code) must be digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(creditCharset, n[i]) * creditWeights[i]
	}
	if want := creditCharset[(31-sum%31)%31]; n[17] != want {
		return "", creditErr(ErrCreditCodeChecksum,
			"按GB 32100第18位应为“%c”，实际为“%c”",
			"under GB 32100 the 18th character should be %q, not %q", want, n[17])
	}
	return n, nil
}

// ParseLicenceFileNo validates a driving-licence file number (档案编号):
// exactly 12 digits once spaces are removed and full-width digits
// converted. Only the shape is checked; no public standard defines more.
func ParseLicenceFileNo(s string) (string, error) {
	n := foldCode(s)
	if len(n) != 12 || !digitsOnly(n) {
		return "", ErrFileNoFormat
	}
	return n, nil
}

// ParseMobile validates a mainland mobile number and returns its 11 digits.
// Spaces and dashes are ignored, full-width digits converted, and a leading
// +86, 0086 or (when 13 digits remain) 86 is dropped. The result must match
// ^1[3-9]\d{9}$.
func ParseMobile(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		r = foldWidth(r)
		if unicode.IsSpace(r) || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+86"):
		n = n[3:]
	case strings.HasPrefix(n, "0086"):
		n = n[4:]
	case len(n) == 13 && strings.HasPrefix(n, "86"):
		n = n[2:]
	}
	if len(n) != 11 || !digitsOnly(n) || n[0] != '1' || n[1] < '3' {
		return "", ErrPhoneFormat
	}
	return n, nil
}
