package bolt

import "github.com/jgctl/jgctl/pkg/rules"

// InsertBindingLimited writes a new binding; one of another owner's
// vehicle only while the person has fewer than maxOthers such bindings and
// the vehicle fewer than maxDrivers non-owner drivers (pending requests
// count), else rules.ErrTooManyOthers or rules.ErrTooManyDrivers. Write
// transactions are serial here, so counting is exact.
func (t *Tx) InsertBindingLimited(b *rules.Binding, maxOthers, maxDrivers int) error {
	if !b.Own && b.Kind == rules.BindVehicle {
		mine, err := t.BindingsOf(b.IDNumber)
		if err != nil {
			return err
		}
		drivers, err := t.BindingsOfVehicle(b.Plate, b.PlateType)
		if err != nil {
			return err
		}
		if err := rules.CheckBindLimits(countOthers(mine, rules.BindVehicle), countOthers(drivers, rules.BindVehicle), maxOthers, maxDrivers); err != nil {
			return err
		}
	}
	return t.PutBinding(b)
}

// countOthers counts the bindings of kind that are not the person's own.
func countOthers(bs []rules.Binding, kind string) int {
	n := 0
	for _, b := range bs {
		if b.Kind == kind && !b.Own {
			n++
		}
	}
	return n
}
