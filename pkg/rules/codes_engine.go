package rules

// Refusals of the use cases added with the hardening of requests.
var (
	ErrNotYourBindings = newErr(KindForbidden, "NOT_YOUR_BINDINGS", "只能查询本人的绑定", "you may list only your own bindings")
	ErrRefundFailed    = newErr(KindUnavailable, "REFUND_FAILED", "银行已扣款但未记为缴款，退款未成功：请工作人员按订单处理", "the bank took the money, no payment was recorded, and the refund failed: staff must settle the order")
	ErrNotYourVehicle  = newErr(KindForbidden, "NOT_YOUR_VEHICLE", "该车辆未绑定到本账户，不能查询其违法记录", "the vehicle is not bound to this account: its records are not yours to list")
	ErrTTLTooLong      = newErr(KindInvalid, "TTL_TOO_LONG", "令牌有效期超过该角色的上限", "the token lifetime is longer than this role allows")
	ErrLimitTooLarge   = newErr(KindInvalid, "LIMIT_TOO_LARGE", "每页条数超过上限", "the page size is larger than the maximum")
)
