package main

import (
	"fmt"
	"slices"
	"time"
)

// rounds is how many times a measure and its baseline alternate. This
// machine's speed drifts by a third within minutes, so one back-to-back
// pair can disagree with the next by more than the margins measured; the
// median round is reported.
const rounds = 3

// result is one timed load: its rate and p99 latency.
type result struct {
	rate float64
	p99  time.Duration
}

// pair is a measure beside its baseline over the rounds: the median rate
// and p99 of each, and the medians of the rounds' ratios.
type pair struct {
	ours, base          result
	rateRatio, p99Ratio float64
}

// alternate runs base then ours, rounds times.
func alternate(base, ours func() result) pair {
	var br, or, bp, op, rr, pr []float64
	for range rounds {
		b, o := base(), ours()
		br, or = append(br, b.rate), append(or, o.rate)
		bp, op = append(bp, b.p99.Seconds()), append(op, o.p99.Seconds())
		rr, pr = append(rr, o.rate/b.rate), append(pr, o.p99.Seconds()/b.p99.Seconds())
	}
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	return pair{
		ours:      result{median(or), sec(median(op))},
		base:      result{median(br), sec(median(bp))},
		rateRatio: median(rr), p99Ratio: median(pr),
	}
}

// report prints the pair's two rows: rate, then p99.
func (p pair) report(measure, baseline, target string) {
	row(fmt.Sprintf("%s (median of %d alternating rounds)", measure, rounds), fmt.Sprintf("%.0f", p.ours.rate),
		fmt.Sprintf("%.0f (%s)", p.base.rate, baseline), p.rateRatio, target)
	row("… p99 (ratio: median of the rounds' ratios)", roundDur(p.ours.p99), roundDur(p.base.p99), p.p99Ratio, "")
}

func roundDur(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
