package rules

// Import refusals (docs/import-formats.md). Row errors name their field
// through WithField when it is not the one given here; details such as a
// limit or the value come through Withf or WithDetail.
var (
	ErrImportKind           = newInvalid("kind", "IMPORT_KIND", "导入类型必须是 licences、vehicles 或 violations", "import kind must be licences, vehicles or violations")
	ErrImportMissingColumns = newInvalid("", "IMPORT_MISSING_COLUMNS", "缺少必需的列", "missing required columns")
	ErrImportEncoding       = newInvalid("encoding", "IMPORT_ENCODING", "编码必须是 utf-8 或 gbk", "encoding must be utf-8 or gbk")
	ErrImportChunk          = newInvalid("chunk_size", "IMPORT_CHUNK_SIZE", "每批行数必须在 1 到 100000 之间（0 表示默认的 8192）", "chunk_size must be 1 to 100000 (0 means the default, 8192)")
	ErrImportBadFile        = newInvalid("file", "IMPORT_BAD_FILE", "文件无法读取", "the file cannot be read")
	ErrImportBadLine        = newInvalid("", "IMPORT_BAD_LINE", "无法解析该行", "the line cannot be read")
	ErrImportBadValue       = newInvalid("", "IMPORT_BAD_VALUE", "字段值无效", "the value is not valid")
	ErrImportFieldRequired  = newInvalid("", "IMPORT_FIELD_REQUIRED", "必填字段为空", "required field is empty")
	ErrTextEncoding         = newInvalid("", "TEXT_ENCODING", "文本不是所选的编码", "the text is not in the chosen encoding")
	ErrFieldTooLong         = newInvalid("", "IMPORT_FIELD_TOO_LONG", "字段值过长", "the value is too long")
	ErrRowTooLong           = newInvalid("", "IMPORT_ROW_TOO_LONG", "行过长", "the row is too long")
	ErrDuplicateColumn      = newInvalid("", "IMPORT_DUPLICATE_COLUMN", "表头中有重复的列名", "the header names a column twice")
	ErrDuplicateField       = newInvalid("", "IMPORT_DUPLICATE_FIELD", "该行中同一字段出现两次（键名不区分大小写）", "the line gives the same field twice (keys are case-insensitive)")
	ErrImportInterrupted    = newErr(KindUnavailable, "IMPORT_INTERRUPTED", "导入已中断", "import interrupted")
	// ErrImportBadRow names a row that failed with an error of no code of
	// its own (it appears only in rejects).
	ErrImportBadRow = newErr(KindInternal, "IMPORT_BAD_ROW", "该行导入失败", "the row failed")
)

// Particular cases of the codes above: the code's text with a detail.
var (
	ErrTextNotUTF8            = ErrTextEncoding.WithDetail("不是 UTF-8 文本；文件可能是 GBK 编码，请用 --encoding gbk 导入", "not UTF-8; the file may be GBK: import it with --encoding gbk")
	ErrTextNotGBK             = ErrTextEncoding.WithDetail("不是有效的 GBK（GB18030）文本", "not valid GBK (GB18030) text")
	ErrTextUTF16              = ErrTextEncoding.WithField("file").WithDetail("文件是 UTF-16 编码；请另存为 UTF-8（或 GBK 并用 --encoding gbk）", "the file is UTF-16; save it as UTF-8 (or as GBK and use --encoding gbk)")
	ErrQuoteUnclosed          = ErrImportBadFile.WithDetail("引号不匹配：带引号的值必须以引号结束，值中的引号必须写成两个（\"\"）", "broken quoting: a quoted value must end with a quote, and a quote inside it must be doubled (\"\")")
	ErrBareQuote              = ErrImportBadFile.WithDetail("未加引号的值中有引号（\"）：请给整个值加引号，并把其中的引号写成两个", "a quote (\") inside an unquoted value: quote the whole value and double the quote")
	ErrSuspensionFromRequired = ErrImportFieldRequired.WithField("suspended_from").WithDetail("有暂停结束日期但没有开始日期", "suspended_to is given without suspended_from")
)

// Imported values that break a format rule.
var (
	ErrLicenceClass     = newInvalid("classes", "LICENCE_CLASS", "准驾车型必须由 A1 A2 A3 B1 B2 C1–C6 D E F M N P 组成", "classes must be made of A1 A2 A3 B1 B2 C1–C6 D E F M N P")
	ErrVINFormat        = newInvalid("vin", "VIN_FORMAT", "车辆识别代号为17位字母数字，不含 I、O、Q", "a VIN is 17 letters and digits without I, O or Q")
	ErrRecordNoFormat   = newInvalid("record_no", "RECORD_NO_FORMAT", "记录编号为1到32位字母、数字或连字符", "record_no must be 1 to 32 letters, digits or dashes")
	ErrPointsValue      = newInvalid("points", "POINTS_VALUE", "记分只能是 0、1、3、6、9 或 12", "points must be 0, 1, 3, 6, 9 or 12")
	ErrDecisionNoFormat = newInvalid("decision_no", "DECISION_NO_FORMAT", "决定书编号为15或16位数字", "decision_no must be 15 or 16 digits")
	ErrServedNoDecision = newInvalid("served_on", "SERVED_WITHOUT_DECISION", "有送达日期但没有决定书编号", "served_on is given without a decision_no")
)

// Dates that cannot be true.
var (
	ErrDateInFuture          = newInvalid("", "DATE_IN_FUTURE", "日期不能晚于今天", "the date is in the future")
	ErrTimeInFuture          = newInvalid("occurred_at", "TIME_IN_FUTURE", "违法时间不能晚于现在", "occurred_at is in the future")
	ErrDateTooEarly          = newInvalid("", "DATE_TOO_EARLY", "日期过早，不可能是真实日期", "the date is too early to be true")
	ErrServedBeforeViolation = newInvalid("served_on", "SERVED_BEFORE_VIOLATION", "送达日期早于违法日期", "served_on is before the day of the violation")
	ErrValidityRange         = newInvalid("valid_until", "LICENCE_VALIDITY_RANGE", "有效期止早于初次领证日期", "valid_until is before first_issued_on")
	errSuspension            = newInvalid("suspended_to", "SUSPENSION_RANGE", "暂停日期顺序错误", "the suspension dates are out of order")
	// ErrSuspensionRange and ErrSuspensionBeforeService are its two cases.
	ErrSuspensionRange         = errSuspension.WithDetail("暂停结束日期早于开始日期", "suspended_to is before suspended_from")
	ErrSuspensionBeforeService = errSuspension.WithField("suspended_from").WithDetail("暂停开始日期早于送达日期", "suspended_from is before served_on")
)
