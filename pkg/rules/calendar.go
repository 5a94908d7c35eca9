package rules

import "time"

// Calendar knows which dates are working days: Monday to Friday, except
// official holidays, plus the make-up working days (调休) on weekends.
// The zero value has no holidays. Build one from reference data with
// NewCalendar; it is immutable afterwards.
type Calendar struct {
	holidays map[Date]string
	workdays map[Date]string
}

// NewCalendar returns a calendar with the given holidays and make-up
// working days (date → name).
func NewCalendar(holidays, workdays map[Date]string) Calendar {
	return Calendar{holidays: holidays, workdays: workdays}
}

// IsWorkday reports whether d is a working day.
func (c Calendar) IsWorkday(d Date) bool {
	if _, ok := c.workdays[d]; ok {
		return true
	}
	if _, ok := c.holidays[d]; ok {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NextWorkday returns d if it is a working day, else the first working day after it.
func (c Calendar) NextWorkday(d Date) Date {
	for i := 0; i < 60 && !c.IsWorkday(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

// AddWorkdays returns the date n working days after d (d itself not counted).
func (c Calendar) AddWorkdays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}
