package rules

import "slices"

// Denials of online handling (电子监控 records, domain-rules §2).
var (
	ErrNotCamera        = newErr(KindDenied, "EMON_NOT_CAMERA", "只有电子监控记录可以在网上处理", "only camera (electronic monitoring) records can be handled online")
	ErrFineOverLimit    = newErr(KindDenied, "EMON_FINE_OVER_LIMIT", "罚款金额超过网上处理上限，请到窗口办理", "the fine exceeds the online handling limit; handle it at a service window")
	ErrPointsLimit      = newErr(KindDenied, "EMON_POINTS_LIMIT", "处理后记分将达到满分，请到窗口办理", "handling would bring the cycle points to the limit; handle it at a service window")
	ErrLicenceAbnormal  = newErr(KindDenied, "EMON_LICENCE_ABNORMAL", "驾驶证状态不正常（扣押、暂扣、吊销、注销或逾期）", "the driving licence is not in a normal state (detained, suspended, revoked, cancelled or overdue)")
	ErrNoLicence        = newErr(KindDenied, "EMON_NO_LICENCE", "未绑定驾驶证，不能处理违法", "no driving licence is bound to this account")
	ErrVehicleNotBound  = newErr(KindDenied, "EMON_VEHICLE_NOT_BOUND", "该车辆未绑定到本账户", "the vehicle is not bound to this account")
	ErrNotUnhandled     = newErr(KindConflict, "VIOLATION_NOT_UNHANDLED", "该记录不是未处理状态", "the record is not in the unhandled state")
	ErrTooManyOthers    = newErr(KindDenied, "BIND_OTHER_VEHICLE_LIMIT", "绑定他人车辆已达上限", "you have bound the maximum number of other people's vehicles")
	ErrTooManyDrivers   = newErr(KindDenied, "BIND_VEHICLE_DRIVER_LIMIT", "该车辆绑定的非所有人驾驶人已达上限", "this vehicle already has the maximum number of non-owner drivers")
	ErrOtherPlateType   = newErr(KindDenied, "BIND_OTHER_PLATE_TYPE", "他人车辆只能是非营运小型汽车或小型新能源汽车", "another person's vehicle can be bound only if it is a small car or small new-energy car")
	ErrAlreadyPaid      = newErr(KindConflict, "DECISION_ALREADY_PAID", "该决定书已缴款", "this decision is already paid")
	ErrNoDecision       = newErr(KindDenied, "NO_DECISION", "该记录尚无处罚决定，请先处理", "this record has no penalty decision yet; handle it first")
	ErrPendingElsewhere = newErr(KindConflict, "VIOLATION_PENDING", "该记录正在处理中，请完成缴款或等待其过期", "this record is being handled; pay it or wait for the handling to expire")
)

// HandlingCase is what the online-handling check needs to know.
type HandlingCase struct {
	Violation    Violation
	Licence      *Licence // the handler's licence, nil if none is bound
	VehicleBound bool     // the vehicle is the handler's own or an approved binding
	CyclePoints  int      // points already counting in the handler's current cycle
	On           Date
}

// CheckOnlineHandling returns nil if the record may be handled online by
// this person now, else the first denial (a *Error).
func (p Policy) CheckOnlineHandling(c HandlingCase) error {
	v := c.Violation
	switch {
	case v.Status == StatusPending:
		return ErrPendingElsewhere
	case v.Status != StatusUnhandled:
		return ErrNotUnhandled.Withf("status %s", v.Status)
	case v.Source != SourceCamera:
		return ErrNotCamera
	case v.Fine.Cmp(p.OnlineMaxFine) > 0:
		return ErrFineOverLimit.Withf("%s > %s", v.Fine, p.OnlineMaxFine)
	case !c.VehicleBound:
		return ErrVehicleNotBound
	case c.Licence == nil:
		return ErrNoLicence
	case !LicenceUsable(*c.Licence, c.On):
		return ErrLicenceAbnormal.Withf("%s", c.Licence.Status)
	case c.CyclePoints+v.Points >= p.PointsLimit:
		return ErrPointsLimit.Withf("%d + %d ≥ %d", c.CyclePoints, v.Points, p.PointsLimit)
	}
	return nil
}

// LicenceUsable reports whether the licence is normal and not past its
// validity on date on.
func LicenceUsable(l Licence, on Date) bool {
	return l.Status == LicenceNormal && (l.ValidUntil.IsZero() || !on.After(l.ValidUntil))
}

// CheckOtherPlateType refuses binding another owner's vehicle of a plate
// type the policy does not allow.
func (p Policy) CheckOtherPlateType(t PlateType) error {
	if !slices.Contains(p.OtherVehiclePlateTypes, t) {
		return ErrOtherPlateType
	}
	return nil
}

// CheckBindLimits refuses a new binding of another owner's vehicle when the
// person already has maxOthers such bindings or the vehicle maxDrivers
// non-owner drivers (pending requests count).
func CheckBindLimits(personOthers, vehicleDrivers, maxOthers, maxDrivers int) error {
	switch {
	case personOthers >= maxOthers:
		return ErrTooManyOthers.Withf("%d", maxOthers)
	case vehicleDrivers >= maxDrivers:
		return ErrTooManyDrivers.Withf("%d", maxDrivers)
	}
	return nil
}
