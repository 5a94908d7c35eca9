package rules

// Invalid input: a value breaks a format rule. Each names the field it
// usually concerns; a caller naming another field (driver_id_number,
// agent_id_number, …) says so with WithField.
var (
	ErrIDFormat             = newInvalid("id_number", "ID_FORMAT", "身份证号码格式错误", "malformed ID number")
	ErrIDRegion             = newInvalid("id_number", "ID_REGION", "身份证号码的地区码无效", "the ID number's region code is not valid")
	ErrIDBirthDate          = newInvalid("id_number", "ID_BIRTH_DATE", "身份证号码中的出生日期无效", "the birth date in the ID number is not valid")
	ErrIDChecksum           = newInvalid("id_number", "ID_CHECKSUM", "身份证号码校验码错误", "wrong check character")
	ErrCreditCodeFormat     = newInvalid("credit_code", "CREDIT_CODE_FORMAT", "统一社会信用代码格式错误", "malformed unified social credit code")
	ErrCreditCodeChecksum   = newInvalid("credit_code", "CREDIT_CODE_CHECKSUM", "统一社会信用代码校验码错误", "wrong check character")
	ErrFileNoFormat         = newInvalid("file_no", "FILE_NO_FORMAT", "驾驶证档案编号应为12位数字", "a driving-licence file number is exactly 12 digits")
	ErrPhoneFormat          = newInvalid("phone", "PHONE_FORMAT", "手机号码应为11位数字、以1开头、第2位为3-9（可带+86前缀）", "a mainland mobile number has 11 digits, starting with 1 and then 3–9 (an optional +86 prefix is allowed)")
	ErrPlateFormat          = newInvalid("plate", "PLATE_FORMAT", "号牌号码格式错误", "malformed plate number")
	ErrPlateTypeUnknown     = newInvalid("plate_type", "PLATE_TYPE_UNKNOWN", "未知的号牌种类", "unknown plate type")
	ErrPlateTypeMismatch    = newInvalid("plate_type", "PLATE_TYPE_MISMATCH", "号牌号码与号牌种类不符", "the plate does not fit the plate type")
	ErrPlateTypeRequired    = newInvalid("plate_type", "PLATE_TYPE_REQUIRED", "按号牌查询需要号牌种类", "a plate query needs the plate type")
	ErrLicenceStatusUnknown = newInvalid("status", "LICENCE_STATUS_UNKNOWN", "驾驶证状态必须是 normal、expired、detained、suspended、revoked 或 cancelled", "licence status must be one of normal, expired, detained, suspended, revoked, cancelled")
	ErrSourceUnknown        = newInvalid("source", "SOURCE_UNKNOWN", "来源必须是 camera、onsite 或 general", "source must be one of camera, onsite, general")
	ErrStatusUnknown        = newInvalid("status", "STATUS_UNKNOWN", "状态必须是 unhandled、pending、unpaid 或 paid", "status must be one of unhandled, pending, unpaid, paid")
	ErrCodePointsMismatch   = newInvalid("points", "CODE_POINTS_MISMATCH", "记分与违法代码不符", "points do not match the violation code")
	ErrCodeFineRange        = newInvalid("fine", "CODE_FINE_RANGE", "罚款超出违法代码的法定幅度", "the fine is outside the violation code's statutory range")
	ErrPasswordWeak         = newInvalid("password", "PASSWORD_WEAK", "密码为8到128个字符，至少包含一个字母和一个数字", "a password has 8 to 128 characters with at least one letter and one digit")
	ErrTimeFormat           = newInvalid("", "TIME_FORMAT", "时间必须是带时区的 RFC 3339 格式，或 YYYY-MM-DD HH:MM:SS（北京时间）", "want RFC 3339 with an offset, or YYYY-MM-DD HH:MM:SS in China time")
	ErrNameRequired         = newInvalid("name", "NAME_REQUIRED", "名称不能为空且不超过64个字符", "a name of 1 to 64 characters is required")
	ErrRoleUnknown          = newInvalid("role", "ROLE_UNKNOWN", "角色必须是 person、unit、hospital、bank、staff 或 admin", "role must be one of person, unit, hospital, bank, staff, admin")
	ErrTTLFormat            = newInvalid("ttl", "TTL_FORMAT", "有效期应为正的时长，如 720h", "ttl must be a positive duration such as 720h")
	ErrIDNumberRequired     = newInvalid("id_number", "ID_NUMBER_REQUIRED", "工作人员查询绑定需要指定身份证号码", "staff must name the person (id_number) whose bindings to list")
	ErrRegisterOneProof     = newInvalid("licence_file_no", "REGISTER_ONE_PROOF", "请只提供档案编号或号牌其中之一", "give either the licence file number or a plate, not both")
	ErrRegisterProof        = newInvalid("licence_file_no", "REGISTER_PROOF_REQUIRED", "需要驾驶证档案编号，或本人名下机动车的号牌和号牌种类", "the licence file number, or the plate and plate type of a vehicle you own, is required")
	ErrPayTarget            = newInvalid("decision_no", "PAY_TARGET", "请提供决定书编号或违法记录编号其中之一", "give exactly one of the decision number and the record number")
	ErrKeyRequired          = newInvalid("idempotency_key", "IDEMPOTENCY_KEY_REQUIRED", "缴款需要幂等键", "a payment needs an idempotency key")
	ErrKeyTooLong           = newInvalid("idempotency_key", "IDEMPOTENCY_KEY_TOO_LONG", "幂等键不超过255个字符", "the idempotency key is at most 255 characters")
	ErrOrderIDFormat        = newInvalid("gateway_order_id", "ORDER_ID_FORMAT", "缴款单号格式错误", "not an order ID of this platform (ORD-<decision>-<hash>)")
	ErrServedOnRequired     = newInvalid("served_on", "SERVED_ON_REQUIRED", "需要决定书送达日期", "the date the decision was served is required")
	ErrDateBeforeService    = newInvalid("on", "DATE_BEFORE_SERVICE", "缴款日期早于送达日期", "the payment date is before the service date")
	ErrRecordNoRequired     = newInvalid("record_no", "RECORD_NO_REQUIRED", "需要违法记录编号", "the record number is required")
)

// newInvalid defines a code of kind invalid with the field it usually concerns.
func newInvalid(field, code, zh, en string) *Error {
	e := newErr(KindInvalid, code, zh, en)
	e.Field = field
	return e
}
