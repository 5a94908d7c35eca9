package rules

// Refusals of the use cases added with the hardening of requests.
var (
	ErrNotYourBindings = newErr(KindForbidden, "NOT_YOUR_BINDINGS", "只能查询本人的绑定", "you may list only your own bindings")
	ErrNotYourVehicle  = newErr(KindForbidden, "NOT_YOUR_VEHICLE", "该车辆未绑定到本账户，不能查询其违法记录", "the vehicle is not bound to this account: its records are not yours to list")
	ErrTTLTooLong      = newErr(KindInvalid, "TTL_TOO_LONG", "令牌有效期超过该角色的上限", "the token lifetime is longer than this role allows")
	ErrLimitTooLarge   = newErr(KindInvalid, "LIMIT_TOO_LARGE", "每页条数超过上限", "the page size is larger than the maximum")
)
