package rules

// Refusals of the HTTP edge and of the request codec (both transports).
var (
	// ErrQueryValue: a query parameter (or a bounded request field) is out of range.
	ErrQueryValue = newErr(KindInvalid, "QUERY_VALUE", "查询参数取值无效", "bad query parameter")
	// ErrFieldRequired: a required body field is missing or null.
	ErrFieldRequired = newErr(KindInvalid, "FIELD_REQUIRED", "缺少必填字段", "this field is required (not missing, not null)")
	// ErrBadJSON: the body is not the JSON object the operation takes.
	ErrBadJSON = newErr(KindInvalid, "BAD_JSON", "请求体不是合法的 JSON 或含有未知字段", "the body is not valid JSON for this request, or has unknown fields")
	// ErrBodyTooLarge: the body is over the size limit.
	ErrBodyTooLarge = newErr(KindInvalid, "BODY_TOO_LARGE", "请求体过大", "the body is too large")
	// ErrMoneyFormat: an amount is not a non-negative number with at most two decimals.
	ErrMoneyFormat = newErr(KindInvalid, "MONEY_FORMAT", "金额格式错误（非负数，最多两位小数）", "want an amount in yuan, not negative, at most two decimals")
	// ErrFineFormat: a fine is not a non-negative number with at most two decimals.
	ErrFineFormat = newErr(KindInvalid, "FINE_FORMAT", "罚款金额格式错误", "want a fine in yuan, not negative, at most two decimals")
	// ErrDateFormat: a date is not a real date as YYYY-MM-DD.
	ErrDateFormat = newErr(KindInvalid, "DATE_FORMAT", "日期必须是 YYYY-MM-DD 格式的真实日期", "want a real date as YYYY-MM-DD")
	// ErrRouteNotFound: no operation is served at this path.
	ErrRouteNotFound = newErr(KindNotFound, "ROUTE_NOT_FOUND", "没有这个接口", "no such route")
	// ErrMethodNotAllowed: the path is served, not with this method.
	ErrMethodNotAllowed = newErr(KindInvalid, "METHOD_NOT_ALLOWED", "该接口不支持此方法", "this route does not take this method")
	// ErrMediaType: a JSON operation was sent another Content-Type.
	ErrMediaType = newErr(KindInvalid, "UNSUPPORTED_MEDIA_TYPE", "请求体必须是 JSON（Content-Type: application/json）", "the body must be JSON (Content-Type: application/json)")
	// ErrHeaderTooLarge: the request's headers are over the size limit.
	ErrHeaderTooLarge = newErr(KindInvalid, "HEADER_TOO_LARGE", "请求头过大", "the request headers are too large")
	// ErrActAs: X-Jgctl-As is not a valid ID number.
	ErrActAs = newErr(KindInvalid, "ACT_AS_FORMAT", "X-Jgctl-As 必须是有效的身份证号码", "X-Jgctl-As must be a valid ID number")
	// ErrBadSignature: a bank notification's signature is wrong or stale.
	ErrBadSignature = newErr(KindForbidden, "BAD_SIGNATURE", "通知签名无效或已过期", "the notification signature is invalid or outside its time window")
	// ErrCallbackDisabled: the server has no key for bank notifications.
	ErrCallbackDisabled = newErr(KindForbidden, "CALLBACK_DISABLED", "未配置银行通知密钥", "bank notifications are not configured on this server (gateway.secret)")
	// ErrInternal: something unexpected failed on the server (it is logged there).
	ErrInternal = newErr(KindInternal, "INTERNAL", "内部错误", "internal error")
	// ErrEndpointUnavailable: the HTTP client could not reach the endpoint, or it kept failing.
	ErrEndpointUnavailable = newErr(KindUnavailable, "ENDPOINT_UNAVAILABLE", "无法连接服务端", "the endpoint is unavailable")
)
