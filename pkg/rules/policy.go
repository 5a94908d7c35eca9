package rules

import "time"

// Policy gathers every setting where the regulations leave room (the rules
// marked [L] or disputed in docs/rules.md). DefaultPolicy documents the
// defaults; deployments override them in the config file.
type Policy struct {
	Fees FeePolicy `json:"fees"`
	// OnlineMaxFine is the largest fine a camera record may carry to be
	// handled online: 200 yuan, the simple-procedure threshold (处理规定 §43).
	OnlineMaxFine Money `json:"online_max_fine"`
	// PointsLimit: cycle points plus the record's points must stay below it (12).
	PointsLimit int `json:"points_limit"`
	// MaxOtherVehicles is how many vehicles of other owners one person may
	// bind (12123 rule: 3).
	MaxOtherVehicles int `json:"max_other_vehicles"`
	// MaxOtherDrivers is how many non-owners may bind one vehicle (3).
	MaxOtherDrivers int `json:"max_other_drivers"`
	// OtherVehiclePlateTypes are the plate types another person's vehicle
	// may have to be bound: 小型汽车 and 小型新能源汽车.
	OtherVehiclePlateTypes []PlateType `json:"other_vehicle_plate_types"`
	// HandlingTTL is how long an unpaid online handling stays pending (30 min).
	HandlingTTL time.Duration `json:"handling_ttl"`
}

// DefaultPolicy returns the documented defaults (docs/rules.md).
func DefaultPolicy() Policy {
	return Policy{
		Fees:                   DefaultFeePolicy(),
		OnlineMaxFine:          Yuan(200),
		PointsLimit:            12,
		MaxOtherVehicles:       3,
		MaxOtherDrivers:        3,
		OtherVehiclePlateTypes: []PlateType{PlateSmall, PlateNESmall},
		HandlingTTL:            30 * time.Minute,
	}
}
