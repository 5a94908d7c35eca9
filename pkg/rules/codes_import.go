package rules

// Import refusals (docs/import-formats.md). The row-level ones name their
// field through WithField; details such as limits come through Withf.
var (
	ErrImportBadFile = Invalid("file", "IMPORT_BAD_FILE", "文件无法读取", "the file cannot be read")
	ErrImportBadLine = Invalid("", "IMPORT_BAD_LINE", "无法解析该行", "the line cannot be read")
	// ErrQuoteUnclosed and ErrBareQuote: CSV quoting the reader cannot get past (IMPORT_BAD_FILE).
	ErrQuoteUnclosed  = Invalid("file", "IMPORT_BAD_FILE", "引号不匹配：带引号的值必须以引号结束，值中的引号必须写成两个（\"\"）", "broken quoting: a quoted value must end with a quote, and a quote inside it must be doubled (\"\")")
	ErrBareQuote      = Invalid("file", "IMPORT_BAD_FILE", "未加引号的值中有引号（\"）：请给整个值加引号，并把其中的引号写成两个", "a quote (\") inside an unquoted value: quote the whole value and double the quote")
	ErrImportEncoding = Invalid("encoding", "IMPORT_ENCODING", "编码必须是 utf-8 或 gbk", "encoding must be utf-8 or gbk")
	ErrImportChunk    = Invalid("chunk_size", "IMPORT_CHUNK_SIZE", "每批行数必须在 1 到 100000 之间（0 表示默认的 8192）", "chunk_size must be 1 to 100000 (0 means the default, 8192)")
	// ErrTextNotUTF8 and ErrTextNotGBK share the code TEXT_ENCODING.
	ErrTextNotUTF8       = Invalid("", "TEXT_ENCODING", "不是 UTF-8 文本；文件可能是 GBK 编码，请用 --encoding gbk 导入", "not UTF-8 text; the file may be GBK: import it with --encoding gbk")
	ErrTextNotGBK        = Invalid("", "TEXT_ENCODING", "不是有效的 GBK（GB18030）文本", "not valid GBK (GB18030) text")
	ErrTextUTF16         = Invalid("file", "TEXT_ENCODING", "文件是 UTF-16 编码；请另存为 UTF-8（或 GBK 并用 --encoding gbk）", "the file is UTF-16; save it as UTF-8 (or as GBK and use --encoding gbk)")
	ErrFieldTooLong      = Invalid("", "IMPORT_FIELD_TOO_LONG", "字段值过长", "the value is too long")
	ErrRowTooLong        = Invalid("", "IMPORT_ROW_TOO_LONG", "行过长", "the row is too long")
	ErrDuplicateColumn   = Invalid("", "IMPORT_DUPLICATE_COLUMN", "表头中有重复的列名", "the header names a column twice")
	ErrDuplicateField    = Invalid("", "IMPORT_DUPLICATE_FIELD", "该行中同一字段出现两次（键名不区分大小写）", "the line gives the same field twice (keys are case-insensitive)")
	ErrImportInterrupted = newErr(KindUnavailable, "IMPORT_INTERRUPTED", "导入已中断", "import interrupted")
)

// Dates that cannot be true.
var (
	ErrDateTooEarly          = Invalid("", "DATE_TOO_EARLY", "日期过早，不可能是真实日期", "the date is too early to be true")
	ErrServedBeforeViolation = Invalid("served_on", "SERVED_BEFORE_VIOLATION", "送达日期早于违法日期", "served_on is before the day of the violation")
	ErrValidityRange         = Invalid("valid_until", "LICENCE_VALIDITY_RANGE", "有效期止早于初次领证日期", "valid_until is before first_issued_on")
)
