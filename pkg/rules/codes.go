package rules

// Errors shared by the use cases. Each has a stable code (see docs/exit-codes.md).
var (
	ErrNotFound          = newErr(KindNotFound, "NOT_FOUND", "未找到", "not found")
	ErrPersonNotFound    = newErr(KindNotFound, "PERSON_NOT_FOUND", "该身份证号码未注册", "no registered person has this ID number")
	ErrLicenceNotFound   = newErr(KindNotFound, "LICENCE_NOT_FOUND", "未找到驾驶证记录", "no licence record found")
	ErrVehicleNotFound   = newErr(KindNotFound, "VEHICLE_NOT_FOUND", "未找到该号牌的机动车", "no vehicle with this plate and plate type")
	ErrRecordNotFound    = newErr(KindNotFound, "RECORD_NOT_FOUND", "未找到该违法记录", "no violation record with this number")
	ErrDecisionNotFound  = newErr(KindNotFound, "DECISION_NOT_FOUND", "未找到该决定书编号", "no decision with this number")
	ErrRequestNotFound   = newErr(KindNotFound, "BIND_REQUEST_NOT_FOUND", "未找到该绑定申请", "no binding request with this ID")
	ErrBindingNotFound   = newErr(KindNotFound, "BINDING_NOT_FOUND", "未找到该绑定", "no such binding")
	ErrAlreadyRegistered = newErr(KindConflict, "ALREADY_REGISTERED", "该身份已注册", "this person or unit is already registered")
	ErrIdentityMismatch  = newErr(KindDenied, "IDENTITY_MISMATCH", "身份信息与记录不符", "the identity details do not match the records")
	ErrAlreadyBound      = newErr(KindConflict, "ALREADY_BOUND", "已经绑定", "already bound")
	ErrNotOwner          = newErr(KindForbidden, "NOT_OWNER", "只有机动车所有人可以批准", "only the vehicle's owner may approve")
	ErrNotYours          = newErr(KindForbidden, "NOT_YOUR_RECORD", "该违法记录不属于本人（未处罚本人，车辆也未绑定本人）", "this record is not yours: not decided to you, and its vehicle is not bound to you")
	ErrStaffOnly         = newErr(KindForbidden, "STAFF_ONLY", "仅限后台工作人员", "back-office staff only")
	ErrPersonOnly        = newErr(KindForbidden, "PERSON_ONLY", "需要以注册用户身份操作（--as）", "this needs a registered person (use --as)")
	ErrIdempotencyReuse  = newErr(KindConflict, "IDEMPOTENCY_KEY_REUSED", "幂等键已用于另一个请求", "the idempotency key was used for a different request")
	ErrPaymentDeclined   = newErr(KindDenied, "PAYMENT_DECLINED", "支付被拒绝", "the payment was declined")
	ErrGatewayTimeout    = newErr(KindUnavailable, "GATEWAY_TIMEOUT", "支付网关超时，请用同一幂等键重试", "the payment gateway timed out; retry with the same idempotency key")
	ErrStoreLocked       = newErr(KindUnavailable, "STORE_LOCKED", "数据存储被另一个 jgctl 进程锁定", "store is locked by another jgctl process")
	ErrStoreUnavailable  = newErr(KindUnavailable, "STORE_UNAVAILABLE", "数据存储不可用", "store is unavailable")
)

// ErrDuplicateDecision: a decision number belongs to one record only.
var ErrDuplicateDecision = newErr(KindConflict, "DECISION_NO_DUPLICATE", "决定书编号已被另一条记录使用", "the decision number is already used by another record")

// ErrDuplicateRecord: a record number is stored once; a re-import skips it.
var ErrDuplicateRecord = newErr(KindConflict, "RECORD_DUPLICATE", "该违法记录编号已存在", "a record with this number already exists")

// Payment conflicts.
var (
	ErrHandlingExpired = newErr(KindConflict, "HANDLING_EXPIRED", "网上处理已超时未缴款，请重新处理", "the online handling expired unpaid; handle the record again")
	ErrPaymentChanged  = newErr(KindConflict, "PAYMENT_AMOUNT_CHANGED", "应缴金额已变化，已退款，请重试", "the amount due changed while paying; the charge was refunded, try again")
)

// Authentication and accounts.
var (
	ErrUnauthenticated = newErr(KindForbidden, "UNAUTHENTICATED", "未登录或令牌无效、已过期、已注销", "missing, invalid, expired or revoked token")
	ErrBadCredentials  = newErr(KindForbidden, "BAD_CREDENTIALS", "身份证号码或密码错误", "wrong ID number or password")
	ErrTooManyAttempts = newErr(KindForbidden, "TOO_MANY_ATTEMPTS", "尝试次数过多，请稍后再试", "too many attempts; try again later")
	ErrAdminOnly       = newErr(KindForbidden, "ADMIN_ONLY", "仅限管理员", "administrators only")
)

// CheckPassword enforces the password rule: 8 to 128 characters, with at
// least a letter and a digit.
func CheckPassword(p string) error {
	letter, digit := false, false
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			letter = true
		}
	}
	if n := len([]rune(p)); n < 8 || n > 128 || !letter || !digit {
		return ErrPasswordWeak
	}
	return nil
}

// ErrUnderpaid: a bank charge below the amount due is not recorded as payment.
var ErrUnderpaid = newErr(KindConflict, "UNDERPAID", "银行扣款金额少于应缴金额，需人工处理", "the bank charged less than is due; settle it by hand")
