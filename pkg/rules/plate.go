package rules

import (
	"fmt"
	"strings"
	"unicode"
)

// PlateType is a plate type (号牌种类) code of GA 24.7: two digits.
type PlateType string

// Plate types (GA 24.7). Codes not listed here (25, 31, 32, 41–43, 99, …)
// are not accepted.
const (
	PlateLarge               PlateType = "01" // 大型汽车
	PlateSmall               PlateType = "02" // 小型汽车
	PlateEmbassy             PlateType = "03" // 使馆汽车
	PlateConsulate           PlateType = "04" // 领馆汽车
	PlateOverseas            PlateType = "05" // 境外汽车
	PlateForeign             PlateType = "06" // 外籍汽车
	PlateMotorcycle          PlateType = "07" // 普通摩托车
	PlateLightMotorcycle     PlateType = "08" // 轻便摩托车
	PlateEmbassyMotorcycle   PlateType = "09" // 使馆摩托车
	PlateConsulateMotorcycle PlateType = "10" // 领馆摩托车
	PlateOverseasMotorcycle  PlateType = "11" // 境外摩托车
	PlateForeignMotorcycle   PlateType = "12" // 外籍摩托车
	PlateLowSpeed            PlateType = "13" // 低速车
	PlateTractor             PlateType = "14" // 拖拉机
	PlateTrailer             PlateType = "15" // 挂车
	PlateCoach               PlateType = "16" // 教练汽车
	PlateCoachMotorcycle     PlateType = "17" // 教练摩托车
	PlateTempEntry           PlateType = "20" // 临时入境汽车
	PlateTempEntryMotorcycle PlateType = "21" // 临时入境摩托车
	PlateTempDriving         PlateType = "22" // 临时行驶车
	PlatePolice              PlateType = "23" // 警用汽车
	PlatePoliceMotorcycle    PlateType = "24" // 警用摩托
	PlateHongKong            PlateType = "26" // 香港入出境车
	PlateMacau               PlateType = "27" // 澳门入出境车
	PlateNELarge             PlateType = "51" // 大型新能源汽车
	PlateNESmall             PlateType = "52" // 小型新能源汽车
)

// PlateKind is the format family of a plate number, as recognised by
// ParsePlate.
type PlateKind string

// Plate kinds.
const (
	PlateKindOrdinary  PlateKind = "ordinary"  // 鲁A12345
	PlateKindNESmall   PlateKind = "ne_small"  // 鲁AD12345
	PlateKindNELarge   PlateKind = "ne_large"  // 鲁A12345D
	PlateKindCoach     PlateKind = "coach"     // 鲁A1234学
	PlateKindTrailer   PlateKind = "trailer"   // 鲁A1234挂
	PlateKindPolice    PlateKind = "police"    // 鲁A1234警
	PlateKindHongKong  PlateKind = "hongkong"  // 粤Z1234港
	PlateKindMacau     PlateKind = "macau"     // 粤Z1234澳
	PlateKindEmbassy   PlateKind = "embassy"   // 使014578
	PlateKindConsulate PlateKind = "consulate" // 沪A1234领
)

type plateTypeInfo struct {
	zh, en string
	kind   PlateKind // the plate format this type carries
}

// plateTypes is the GA 24.7 table (read-only). kind is the format
// CheckPlate requires.
var plateTypes = map[PlateType]plateTypeInfo{
	PlateLarge:               {"大型汽车", "large vehicle", PlateKindOrdinary},
	PlateSmall:               {"小型汽车", "small vehicle", PlateKindOrdinary},
	PlateEmbassy:             {"使馆汽车", "embassy vehicle", PlateKindEmbassy},
	PlateConsulate:           {"领馆汽车", "consulate vehicle", PlateKindConsulate},
	PlateOverseas:            {"境外汽车", "overseas vehicle", PlateKindOrdinary},
	PlateForeign:             {"外籍汽车", "foreign vehicle", PlateKindOrdinary},
	PlateMotorcycle:          {"普通摩托车", "ordinary motorcycle", PlateKindOrdinary},
	PlateLightMotorcycle:     {"轻便摩托车", "light motorcycle", PlateKindOrdinary},
	PlateEmbassyMotorcycle:   {"使馆摩托车", "embassy motorcycle", PlateKindEmbassy},
	PlateConsulateMotorcycle: {"领馆摩托车", "consulate motorcycle", PlateKindConsulate},
	PlateOverseasMotorcycle:  {"境外摩托车", "overseas motorcycle", PlateKindOrdinary},
	PlateForeignMotorcycle:   {"外籍摩托车", "foreign motorcycle", PlateKindOrdinary},
	PlateLowSpeed:            {"低速车", "low-speed vehicle", PlateKindOrdinary},
	PlateTractor:             {"拖拉机", "tractor", PlateKindOrdinary},
	PlateTrailer:             {"挂车", "trailer", PlateKindTrailer},
	PlateCoach:               {"教练汽车", "coach vehicle", PlateKindCoach},
	PlateCoachMotorcycle:     {"教练摩托车", "coach motorcycle", PlateKindCoach},
	PlateTempEntry:           {"临时入境汽车", "temporary entry vehicle", PlateKindOrdinary},
	PlateTempEntryMotorcycle: {"临时入境摩托车", "temporary entry motorcycle", PlateKindOrdinary},
	PlateTempDriving:         {"临时行驶车", "temporary driving vehicle", PlateKindOrdinary},
	PlatePolice:              {"警用汽车", "police vehicle", PlateKindPolice},
	PlatePoliceMotorcycle:    {"警用摩托", "police motorcycle", PlateKindPolice},
	PlateHongKong:            {"香港入出境车", "Hong Kong cross-boundary vehicle", PlateKindHongKong},
	PlateMacau:               {"澳门入出境车", "Macau cross-boundary vehicle", PlateKindMacau},
	PlateNELarge:             {"大型新能源汽车", "large new-energy vehicle", PlateKindNELarge},
	PlateNESmall:             {"小型新能源汽车", "small new-energy vehicle", PlateKindNESmall},
}

// PlateTypes returns every known plate type in code order.
func PlateTypes() []PlateType {
	return []PlateType{
		PlateLarge, PlateSmall, PlateEmbassy, PlateConsulate, PlateOverseas, PlateForeign,
		PlateMotorcycle, PlateLightMotorcycle, PlateEmbassyMotorcycle, PlateConsulateMotorcycle,
		PlateOverseasMotorcycle, PlateForeignMotorcycle, PlateLowSpeed, PlateTractor, PlateTrailer,
		PlateCoach, PlateCoachMotorcycle, PlateTempEntry, PlateTempEntryMotorcycle, PlateTempDriving,
		PlatePolice, PlatePoliceMotorcycle, PlateHongKong, PlateMacau, PlateNELarge, PlateNESmall,
	}
}

// Name returns the Chinese name, e.g. "小型汽车"; "" for an unknown code.
func (t PlateType) Name() string { return plateTypes[t].zh }

// NameEN returns the English name, e.g. "small vehicle"; "" for an unknown code.
func (t PlateType) NameEN() string { return plateTypes[t].en }

// Kind returns the plate format a plate of this type must have
// ("" for an unknown code).
func (t PlateType) Kind() PlateKind { return plateTypes[t].kind }

// ParsePlateType accepts a GA 24.7 code ("02" or "2", full-width digits
// too), or the Chinese name ("小型汽车"), or the English name
// (case-insensitive). Anything else is PLATE_TYPE_UNKNOWN.
func ParsePlateType(s string) (PlateType, error) {
	n := strings.TrimSpace(s)
	code := foldCode(n)
	if (len(code) == 1 || len(code) == 2) && digitsOnly(code) {
		if len(code) == 1 {
			code = "0" + code
		}
		if _, ok := plateTypes[PlateType(code)]; ok {
			return PlateType(code), nil
		}
	}
	for t, info := range plateTypes {
		if n == info.zh || strings.EqualFold(n, info.en) {
			return t, nil
		}
	}
	return "", ErrPlateTypeUnknown.WithDetail(
		fmt.Sprintf("未知的号牌种类%q（应为GA 24.7代码，如02，或名称，如小型汽车）", clipForMessage(s, 40)),
		fmt.Sprintf("unknown plate type %q (expected a GA 24.7 code such as 02, or a name such as 小型汽车)", clipForMessage(s, 40)))
}

// clipForMessage shortens s to at most n runes for use in a message.
func clipForMessage(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

var plateKindNames = map[PlateKind][2]string{
	PlateKindOrdinary:  {"普通号牌", "an ordinary plate"},
	PlateKindNESmall:   {"小型新能源汽车号牌", "a small new-energy plate"},
	PlateKindNELarge:   {"大型新能源汽车号牌", "a large new-energy plate"},
	PlateKindCoach:     {"教练号牌（学）", "a coach plate (学)"},
	PlateKindTrailer:   {"挂车号牌（挂）", "a trailer plate (挂)"},
	PlateKindPolice:    {"警用号牌（警）", "a police plate (警)"},
	PlateKindHongKong:  {"香港入出境号牌（港）", "a Hong Kong cross-boundary plate (港)"},
	PlateKindMacau:     {"澳门入出境号牌（澳）", "a Macau cross-boundary plate (澳)"},
	PlateKindEmbassy:   {"使馆号牌（使）", "an embassy plate (使)"},
	PlateKindConsulate: {"领馆号牌（领）", "a consulate plate (领)"},
}

// Name returns the Chinese name of the kind, e.g. "普通号牌".
func (k PlateKind) Name() string { return plateKindNames[k][0] }

// NameEN returns the English name of the kind, e.g. "an ordinary plate".
func (k PlateKind) NameEN() string { return plateKindNames[k][1] }

// Plate is a validated plate number.
type Plate struct {
	Number   string    `json:"number"`             // normalised, e.g. "鲁A12345"
	Kind     PlateKind `json:"kind"`               // format family
	Province string    `json:"province,omitempty"` // e.g. "鲁" ("" for 使)
	Office   string    `json:"office,omitempty"`   // issuing-office letter, e.g. "A" ("" for 使)
}

// plateProvinces maps the 31 mainland province abbreviations to their
// GB/T 2260 province codes (read-only).
var plateProvinces = map[rune]string{
	'京': "11", '津': "12", '冀': "13", '晋': "14", '蒙': "15",
	'辽': "21", '吉': "22", '黑': "23",
	'沪': "31", '苏': "32", '浙': "33", '皖': "34", '闽': "35", '赣': "36", '鲁': "37",
	'豫': "41", '鄂': "42", '湘': "43", '粤': "44", '桂': "45", '琼': "46",
	'渝': "50", '川': "51", '贵': "52", '云': "53", '藏': "54",
	'陕': "61", '甘': "62", '青': "63", '宁': "64", '新': "65",
}

// ProvinceOf returns the province name ("山东省") for a plate number or a
// province abbreviation ("鲁A12345" or "鲁"), judged by its first character
// after normalisation; "" if it is not one of the 31 abbreviations (使
// plates included).
func ProvinceOf(p string) string {
	for _, r := range NormalizePlate(p) {
		if code, ok := plateProvinces[r]; ok {
			return idProvinceNames[code]
		}
		return ""
	}
	return ""
}

// plateSuffixes maps the special suffix characters to their kinds.
var plateSuffixes = map[rune]PlateKind{
	'学': PlateKindCoach,
	'挂': PlateKindTrailer,
	'警': PlateKindPolice,
	'港': PlateKindHongKong,
	'澳': PlateKindMacau,
	'领': PlateKindConsulate,
}

// NormalizePlate removes white space (full-width too) and the printed
// separators (· • ・ ‧ ． . -), converts full-width letters and digits to
// ASCII and upper-cases ASCII letters. It does not validate, and it is
// idempotent.
func NormalizePlate(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = foldWidth(r)
		switch {
		case unicode.IsSpace(r):
			continue
		case r == '·' || r == '•' || r == '・' || r == '‧' || r == '･' || r == '∙' || r == '.' || r == '-':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plateErr explains a plate-number refusal.
func plateErr(zh, en string, args ...any) *Error {
	return ErrPlateFormat.WithDetail(fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

func plateUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func plateDigit(r rune) bool { return r >= '0' && r <= '9' }

// ParsePlate validates a plate number (GA 36-2018) after NormalizePlate and
// reports its kind. Accepted shapes (P = one of the 31 province
// abbreviations 京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼,
// L = issuing-office letter A–Z except I and O):
//
//   - ordinary: P L + 5 digits/letters, at most two letters, no I or O.
//     The letters may be anywhere in the serial: narrower positional rules
//     (e.g. Beijing's "two letters among the first three") are local
//     number-selection policy, not the plate format.
//   - small new-energy: P L + one of D A B C E F G H J K, a letter (not I/O)
//     or digit, then 4 digits (鲁AD12345).
//   - large new-energy: P L + 5 digits + D or F (鲁A12345D).
//   - special suffix: P L + 4 digits/letters (at most two letters, no I/O)
//   - 学 (coach), 挂 (trailer), 警 (police), 领 (consulate); 港 and 澳
//     only as 粤Z····港 / 粤Z····澳.
//   - embassy: 使 + 6 digits (使014578).
//
// Failures are PLATE_FORMAT errors naming the rule broken.
func ParsePlate(s string) (Plate, error) {
	n := NormalizePlate(s)
	r := []rune(n)
	if len(r) == 0 {
		return Plate{}, plateErr("号牌号码为空", "the plate number is empty")
	}
	if r[0] == '使' {
		if len(r) != 7 || !allRunes(r[1:], plateDigit) {
			return Plate{}, plateErr("使馆号牌应为“使”加6位数字（如使014578）",
				"an embassy plate is 使 followed by 6 digits (e.g. 使014578)")
		}
		return Plate{Number: n, Kind: PlateKindEmbassy}, nil
	}
	if _, ok := plateProvinces[r[0]]; !ok {
		return Plate{}, plateErr("未知的省份简称%q（号牌第1位应为31个省区市简称之一，或“使”）",
			"unknown province character %q (the first character must be one of the 31 province abbreviations, or 使)", r[0])
	}
	if len(r) < 2 {
		return Plate{}, plateErr("号牌号码太短：省份简称后应为发牌机关代号字母和序号",
			"the plate number is too short: the province character must be followed by the issuing-office letter and a serial")
	}
	switch office := r[1]; {
	case office == 'I' || office == 'O':
		return Plate{}, plateErr("发牌机关代号不能使用字母I或O",
			"the issuing-office letter cannot be I or O")
	case !plateUpper(office):
		return Plate{}, plateErr("号牌第2位应为发牌机关代号字母A-Z（不含I、O），实际是%q",
			"the second character must be the issuing-office letter A–Z (not I or O); got %q", office)
	}
	p := Plate{Number: n, Province: string(r[0]), Office: string(r[1])}
	last := r[len(r)-1]

	if kind, ok := plateSuffixes[last]; ok {
		serial := r[2 : len(r)-1]
		if len(serial) != 4 {
			return Plate{}, plateErr("带“%c”字的号牌在发牌机关代号和“%c”之间应有4位序号，实际为%d位",
				"a plate ending in %c has a 4-character serial between the office letter and the %c; got %d", last, last, len(serial))
		}
		if err := checkPlateSerial(serial); err != nil {
			return Plate{}, err
		}
		if (kind == PlateKindHongKong || kind == PlateKindMacau) && (r[0] != '粤' || r[1] != 'Z') {
			return Plate{}, plateErr("“%c”字号牌只发给粤Z（如粤Z1234%c）",
				"plates ending in %c are issued only as 粤Z (e.g. 粤Z1234%c)", last, last)
		}
		p.Kind = kind
		return p, nil
	}

	serial := r[2:]
	for i, c := range serial {
		switch {
		case c == '使':
			return Plate{}, plateErr("“使”只能是使馆号牌的第1位",
				"使 can only be the first character of an embassy plate")
		case !plateUpper(c) && !plateDigit(c) && i == len(serial)-1 && c > 0x7F:
			return Plate{}, plateErr("未知的号牌尾字%q（可用的有学、挂、警、港、澳、领）",
				"unknown suffix character %q (known suffixes are 学, 挂, 警, 港, 澳 and 领)", c)
		case !plateUpper(c) && !plateDigit(c):
			return Plate{}, plateErr("号牌序号只能由数字和字母组成，不能有%q",
				"the serial may contain only digits and letters; found %q", c)
		}
	}
	switch len(serial) {
	case 5:
		if err := checkPlateSerial(serial); err != nil {
			return Plate{}, err
		}
		p.Kind = PlateKindOrdinary
		return p, nil
	case 6:
		if strings.ContainsAny(string(serial), "IO") {
			return Plate{}, errPlateIO
		}
		switch {
		case strings.ContainsRune("DABCEFGHJK", serial[0]) && allRunes(serial[2:], plateDigit):
			p.Kind = PlateKindNESmall
		case allRunes(serial[:5], plateDigit) && (serial[5] == 'D' || serial[5] == 'F'):
			p.Kind = PlateKindNELarge
		case allRunes(serial[:5], plateDigit):
			return Plate{}, plateErr("大型新能源汽车号牌的序号为5位数字加D或F，最后一位不能是%q",
				"a large new-energy serial is 5 digits then D or F; the last character cannot be %q", serial[5])
		case plateUpper(serial[0]) && !strings.ContainsRune("DABCEFGHJK", serial[0]):
			return Plate{}, plateErr("小型新能源汽车号牌序号第1位应为D、F（或A、B、C、E、G、H、J、K），不能是%q",
				"a small new-energy serial starts with D or F (or A, B, C, E, G, H, J, K), not %q", serial[0])
		default:
			return Plate{}, plateErr("新能源汽车号牌序号应为：D/F等字母+字母或数字+4位数字（小型），或5位数字+D/F（大型）",
				"a new-energy serial is D/F (or A–K) + a letter or digit + 4 digits (small), or 5 digits + D/F (large)")
		}
		return p, nil
	default:
		return Plate{}, plateErr("发牌机关代号后的序号应为5位（新能源汽车为6位），实际为%d位",
			"the serial after the issuing-office letter has 5 characters (6 on new-energy plates); got %d", len(serial))
	}
}

var errPlateIO = ErrPlateFormat.WithDetail("号牌序号不能使用字母I或O", "letter I or O not allowed in the serial")

// checkPlateSerial checks an ordinary or special-suffix serial: digits and
// letters, no I or O, at most two letters.
func checkPlateSerial(serial []rune) error {
	letters := 0
	for _, c := range serial {
		switch {
		case c == 'I' || c == 'O':
			return errPlateIO
		case plateUpper(c):
			letters++
		case !plateDigit(c):
			return plateErr("号牌序号只能由数字和字母组成，不能有%q",
				"the serial may contain only digits and letters; found %q", c)
		}
	}
	if letters > 2 {
		return plateErr("号牌序号中的字母超过两个（最多两个）",
			"more than two letters in the serial (at most two are allowed)")
	}
	return nil
}

func allRunes(r []rune, f func(rune) bool) bool {
	for _, c := range r {
		if !f(c) {
			return false
		}
	}
	return true
}

// CheckPlate normalises and parses s and checks that its format fits plate
// type t (given as a code, or anything ParsePlateType accepts). It returns
// the normalised number. Fit: 51 needs a large new-energy plate, 52 a small
// new-energy plate, 15 a trailer plate, 16/17 a coach plate, 23/24 a police
// plate, 26 a 港 plate, 27 an 澳 plate, 03/09 an embassy plate, 04/10 a
// consulate plate; every other type an ordinary plate. A mismatch is
// PLATE_TYPE_MISMATCH on field plate_type.
func CheckPlate(s string, t PlateType) (string, error) {
	pt, err := ParsePlateType(string(t))
	if err != nil {
		return "", err
	}
	p, err := ParsePlate(s)
	if err != nil {
		return "", err
	}
	if want := pt.Kind(); p.Kind != want {
		return "", ErrPlateTypeMismatch.WithDetail(
			fmt.Sprintf("号牌号码%s是%s，与号牌种类%s %s不符（应为%s）", p.Number, p.Kind.Name(), pt, pt.Name(), want.Name()),
			fmt.Sprintf("plate %s is %s, which does not fit plate type %s %s (that needs %s)", p.Number, p.Kind.NameEN(), pt, pt.NameEN(), want.NameEN()))
	}
	return p.Number, nil
}
