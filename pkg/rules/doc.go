// Package rules is jgctl's pure domain: identifiers, plates, fees, points,
// eligibility and state machines. It does no I/O and reads no clock: the
// current time is always a parameter, and dates are civil dates in China
// time (UTC+8). Money is shopspring/decimal, never float.
package rules
