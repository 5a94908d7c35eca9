package bolt

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
)

// Checks of the bbolt file read with ReadAt, never through bbolt's memory
// map, so that nothing here can fault on a short or damaged file. bbolt
// trusts its file: a high-water mark past the end of the file makes it
// touch unbacked memory (SIGBUS), and a page that refers to one of its
// ancestors makes a cursor recurse until the stack overflows. Open runs
// checkMeta; Verify also runs checkTrees, the walk that finds the latter.

// bbolt's page layout, in the machine's byte order (it maps the file).
const (
	pageHeaderSize = 16 // id u64, flags u16, count u16, overflow u32
	elementSize    = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeader   = 16 // root pgid u64, sequence u64; an inline page follows when root is 0

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagFreelist = 0x10
	leafBucket   = 0x01 // leaf element flag: the value is a bucket

	boltMagic   = 0xED0CDAED
	boltVersion = 2
	noFreelist  = ^uint64(0)
	maxPageSize = 1 << 24 // bbolt looks for the second meta page up to 16 MiB
	maxDepth    = 64      // far above any real tree (a 1 GiB store is 4 levels deep)
)

var ne = binary.NativeEndian

// meta is what Open needs of a bbolt meta page.
type meta struct {
	pageSize       int64
	root, freelist uint64
	hwm            uint64 // pages in use: every page id is below it
	txid           uint64
}

// decodeMeta decodes the meta page at off, or says what is wrong with it.
func decodeMeta(f io.ReaderAt, off int64) (meta, string) {
	var b [pageHeaderSize + 64]byte
	if n, _ := f.ReadAt(b[:], off); n < len(b) {
		return meta{}, "cut short"
	}
	m := b[pageHeaderSize:]
	if ne.Uint32(m[0:]) != boltMagic {
		return meta{}, "not a bbolt meta page (bad magic number)"
	}
	if v := ne.Uint32(m[4:]); v != boltVersion {
		return meta{}, fmt.Sprintf("bbolt format version %d, want %d", v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != ne.Uint64(m[56:]) {
		return meta{}, "checksum mismatch"
	}
	return meta{pageSize: int64(ne.Uint32(m[8:])), root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]),
		hwm: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, ""
}

// checkMeta checks the file the way bbolt will use it: its two meta pages,
// that the newest valid one fits in the file, and its free-page list. It
// returns the meta bbolt will use and what is wrong; fatal means bbolt must
// not open the file (one damaged meta page alone is survivable: bbolt
// falls back to the other).
func checkMeta(f io.ReaderAt, size int64) (m meta, problems []string, fatal bool) {
	if size == 0 {
		return m, []string{"the file is empty (0 bytes), not a jgctl store"}, true
	}
	m0, p0 := decodeMeta(f, 0)
	ps := m0.pageSize
	var m1 meta
	p1 := "not found"
	if p0 != "" {
		// Like bbolt: look for the second meta page at every page size.
		for ps = 1024; ps <= maxPageSize && ps < size; ps *= 2 {
			if m1, p1 = decodeMeta(f, ps); p1 == "" {
				break
			}
		}
	} else if ps >= 1024 && ps <= maxPageSize && ps&(ps-1) == 0 {
		m1, p1 = decodeMeta(f, ps)
	} else {
		p0 = fmt.Sprintf("page size %d is not a power of two between 1 KiB and 16 MiB", ps)
	}
	if p0 != "" {
		problems = append(problems, "meta page 0: "+p0)
	}
	if p1 != "" {
		problems = append(problems, "meta page 1: "+p1)
	}
	switch {
	case p0 != "" && p1 != "":
		return m, problems, true
	case p0 == "" && (p1 != "" || m0.txid >= m1.txid):
		m = m0
	default:
		m = m1
	}
	if m.pageSize != ps {
		return m, append(problems, fmt.Sprintf("the meta pages disagree on the page size (%d, %d)", m0.pageSize, m1.pageSize)), true
	}
	var bad []string
	if need := int64(m.hwm) * m.pageSize; m.hwm > uint64(size) || need > size || m.hwm < 3 {
		bad = append(bad, fmt.Sprintf("the file is %d bytes but its meta page (transaction %d) says %d pages of %d bytes: it was cut short or damaged", size, m.txid, m.hwm, m.pageSize))
	} else {
		if m.root < 2 || m.root >= m.hwm {
			bad = append(bad, fmt.Sprintf("the root page %d is outside the file's %d pages", m.root, m.hwm))
		}
		if p := checkFreelist(f, m); p != "" {
			bad = append(bad, p)
		}
	}
	return m, append(problems, bad...), len(bad) > 0
}

// foreign reports whether a non-empty file has no bbolt meta page at all
// (no magic number where bbolt looks for one): some other file, not a
// damaged store.
func foreign(f io.ReaderAt, size int64) bool {
	var b [4]byte
	for off := int64(0); off < size && off <= maxPageSize; off = max(1024, 2*off) {
		if n, _ := f.ReadAt(b[:], off+pageHeaderSize); n == len(b) && ne.Uint32(b[:]) == boltMagic {
			return false
		}
	}
	return size > 0
}

// checkFreelist checks the free-page list that a read-write open loads:
// in the file, and its page IDs sorted, distinct and in use.
func checkFreelist(f io.ReaderAt, m meta) string {
	if m.freelist == noFreelist {
		return ""
	}
	if m.freelist < 2 || m.freelist >= m.hwm {
		return fmt.Sprintf("free-page list: page %d is outside the file's %d pages", m.freelist, m.hwm)
	}
	p, err := readPage(f, m, m.freelist)
	if err != "" {
		return "free-page list: " + err
	}
	if ne.Uint16(p[8:])&flagFreelist == 0 {
		return fmt.Sprintf("free-page list: page %d is not a free-page list (flags %#x)", m.freelist, ne.Uint16(p[8:]))
	}
	ids := p[pageHeaderSize:]
	n := uint64(ne.Uint16(p[10:]))
	if n == 0xFFFF {
		n, ids = ne.Uint64(ids), ids[8:]
	}
	if n > uint64(len(ids)/8) {
		return fmt.Sprintf("free-page list: %d entries do not fit its page", n)
	}
	prev := uint64(1)
	for i := range n {
		id := ne.Uint64(ids[i*8:])
		if id <= prev || id >= m.hwm {
			return fmt.Sprintf("free-page list: entry %d (page %d) is out of order or outside the file", i, id)
		}
		prev = id
	}
	return ""
}

// readPage reads page id with its overflow pages, or says why it cannot.
func readPage(f io.ReaderAt, m meta, id uint64) ([]byte, string) {
	var h [pageHeaderSize]byte
	if n, _ := f.ReadAt(h[:], int64(id)*m.pageSize); n < len(h) {
		return nil, fmt.Sprintf("page %d cannot be read", id)
	}
	over := uint64(ne.Uint32(h[12:]))
	if id+over >= m.hwm {
		return nil, fmt.Sprintf("page %d: its %d overflow pages run past the file's %d pages", id, over, m.hwm)
	}
	p := make([]byte, int64(over+1)*m.pageSize)
	if n, _ := f.ReadAt(p, int64(id)*m.pageSize); n < len(p) {
		return nil, fmt.Sprintf("page %d cannot be read", id)
	}
	return p, ""
}

// treeWalk walks a bucket's pages from its root, checking each page's type
// and elements and that no page is reached twice. A page reached twice may
// close a loop, which bbolt would follow until memory runs out: such
// damage sets loops, and nothing may then read the file through bbolt.
type treeWalk struct {
	f        io.ReaderAt
	m        meta
	nested   bool // walk the buckets in buckets too
	seen     map[uint64]bool
	problems []string
	loops    bool
}

// checkTrees checks the page trees of a file whose meta checkMeta
// accepted: every bucket's when nested, else the root bucket's alone (a
// page or two, which Open can afford; Open reads no other bucket).
func checkTrees(f io.ReaderAt, m meta, nested bool) (problems []string, loops bool) {
	w := &treeWalk{f: f, m: m, nested: nested, seen: map[uint64]bool{}}
	w.page(m.root, "(root)", 0)
	return w.problems, w.loops
}

func (w *treeWalk) problem(format string, args ...any) {
	if p := fmt.Sprintf(format, args...); len(w.problems) < 100 && !slices.Contains(w.problems, p) {
		w.problems = append(w.problems, p)
	}
}

// page walks the subtree at page id of the bucket named path.
func (w *treeWalk) page(id uint64, path string, depth int) {
	switch {
	case depth > maxDepth:
		w.problem("bucket %s: page %d is more than %d levels deep", path, id, maxDepth)
		w.loops = true
		return
	case id < 2 || id >= w.m.hwm:
		w.problem("bucket %s: page %d is outside the file's %d pages", path, id, w.m.hwm)
		return
	case w.seen[id]:
		w.problem("bucket %s: page %d is reached twice", path, id)
		w.loops = true
		return
	}
	p, err := readPage(w.f, w.m, id)
	if err != "" {
		w.problem("bucket %s: %s", path, err)
		return
	}
	for i := range uint64(len(p)) / uint64(w.m.pageSize) {
		w.seen[id+i] = true
	}
	w.elements(p, id, path, depth)
}

// elements checks the elements of page p (an inline page when id is 0)
// and walks the pages and buckets they refer to.
func (w *treeWalk) elements(p []byte, id uint64, path string, depth int) {
	flags, n := ne.Uint16(p[8:]), int(ne.Uint16(p[10:]))
	branch := flags&(flagBranch|flagLeaf) == flagBranch
	switch {
	case flags&(flagBranch|flagLeaf) == 0 || flags&(flagBranch|flagLeaf) == flagBranch|flagLeaf:
		w.problem("bucket %s: page %d is neither a branch nor a leaf (flags %#x)", path, id, flags)
		return
	case branch && id == 0:
		w.problem("bucket %s: its inline page is a branch page", path)
		w.loops = true
		return
	case branch && n == 0:
		w.problem("bucket %s: branch page %d is empty", path, id)
		return
	case pageHeaderSize+n*elementSize > len(p):
		w.problem("bucket %s: page %d: %d elements do not fit it", path, id, n)
		return
	}
	for i := range n {
		e := p[pageHeaderSize+i*elementSize:]
		off := uint64(pageHeaderSize + i*elementSize)
		if branch {
			pos, ksize := uint64(ne.Uint32(e[0:])), uint64(ne.Uint32(e[4:]))
			if off+pos+ksize > uint64(len(p)) {
				w.problem("bucket %s: page %d: element %d runs past the page", path, id, i)
				return
			}
			w.page(ne.Uint64(e[8:]), path, depth+1)
			continue
		}
		pos, ksize, vsize := uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		if off+pos+ksize+vsize > uint64(len(p)) {
			w.problem("bucket %s: page %d: element %d runs past the page", path, id, i)
			return
		}
		if ne.Uint32(e[0:])&leafBucket == 0 {
			continue
		}
		k := p[off+pos : off+pos+ksize]
		v := p[off+pos+ksize : off+pos+ksize+vsize]
		sub := path + "/" + printable(k)
		if path == "(root)" {
			sub = printable(k)
		}
		switch {
		case len(v) < bucketHeader:
			w.problem("bucket %s: its header is cut short", sub)
		case ne.Uint64(v) != 0:
			if w.nested {
				w.page(ne.Uint64(v), sub, depth+1)
			}
		case len(v) < bucketHeader+pageHeaderSize:
			w.problem("bucket %s: its inline page is cut short", sub)
		default:
			w.elements(v[bucketHeader:], 0, sub, depth+1)
		}
	}
}

// printable shows a bucket name: as text when it is, else in hex.
func printable(k []byte) string {
	for _, c := range k {
		if c < 0x20 || c >= 0x7f {
			return fmt.Sprintf("%x", k)
		}
	}
	return string(k)
}
