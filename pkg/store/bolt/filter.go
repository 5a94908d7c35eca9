package bolt

import "bytes"

// Each sorted run of the plate index has a Bloom filter of the plates it
// holds beside it, so a plate query opens and seeks only the runs that may
// hold the plate: a plate's records sit in a few of a store's many runs.
//
// The filter is blocked (every probe of one plate falls in one 64-byte
// block, so a test touches one cache line): a version byte, then blocks of
// 512 bits, about 10 bits per plate, 7 probes, under 2 % false positives.
// A run without a filter (written before filters existed) is always read.

const (
	filterV1         = 1
	filterBlockBytes = 64
	filterBitsPerKey = 10
	filterProbes     = 7
)

// plateHash hashes a plate prefix (plate \x00 type \x00): FNV-1a, then a
// finaliser that spreads its bits. The value is stored in filters, so it
// never changes.
func plateHash(pfx []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range pfx {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return fmix64(h)
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// newFilter returns the filter of the given plate hashes.
func newFilter(hashes []uint64) []byte {
	blocks := max(1, (len(hashes)*filterBitsPerKey+8*filterBlockBytes-1)/(8*filterBlockBytes))
	f := make([]byte, 1+blocks*filterBlockBytes)
	f[0] = filterV1
	for _, h := range hashes {
		b := filterBlock(f, h)
		for _, p := range probes(h) {
			b[p>>3] |= 1 << (p & 7)
		}
	}
	return f
}

// filterMayHold reports whether the run of filter f may hold the plate of
// hash h; a filter it cannot read says yes.
func filterMayHold(f []byte, h uint64) bool {
	if len(f) < 1+filterBlockBytes || f[0] != filterV1 || (len(f)-1)%filterBlockBytes != 0 {
		return true
	}
	b := filterBlock(f, h)
	for _, p := range probes(h) {
		if b[p>>3]&(1<<(p&7)) == 0 {
			return false
		}
	}
	return true
}

func filterBlock(f []byte, h uint64) []byte {
	n := uint64(len(f)-1) / filterBlockBytes
	i := (h >> 32) * n >> 32 // h's high half scaled to [0, n)
	return f[1+i*filterBlockBytes : 1+(i+1)*filterBlockBytes]
}

// probes returns the bit positions (0–511) of h within its block: 9-bit
// slices of a second mix of h.
func probes(h uint64) (ps [filterProbes]uint16) {
	g := fmix64(h ^ 0x9e3779b97f4a7c15)
	for i := range ps {
		ps[i] = uint16(g & 511)
		g >>= 9
	}
	return ps
}

// platePrefix returns the plate prefix (through the second 0 byte) of an
// index key plate \x00 type \x00 record_no.
func platePrefix(k []byte) []byte {
	zeros := 0
	for i, c := range k {
		if c == 0 {
			if zeros++; zeros == 2 {
				return k[:i+1]
			}
		}
	}
	return k
}

// filterKey names the filter of a run in the index bucket: right after the
// run itself in key order.
func filterKey(run []byte) []byte { return append(append(make([]byte, 0, len(run)+1), run...), 0xFF) }

func isFilterOf(k, run []byte) bool {
	return len(k) == len(run)+1 && k[len(run)] == 0xFF && bytes.HasPrefix(k, run)
}
