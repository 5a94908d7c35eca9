package perf

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The raw baselines: what plain bbolt does with similar rows on this
// machine, measured in the same run as jgctl so that the ratio survives a
// noisy or different machine (performance-limits.md §2, §3).

type rawRow struct {
	RecordNo  string `json:"record_no"`
	Plate     string `json:"plate"`
	PlateType string `json:"plate_type"`
	Occurred  string `json:"occurred_at"`
	Location  string `json:"location"`
	Code      string `json:"code"`
	Fine      string `json:"fine"`
	Points    string `json:"points"`
	Source    string `json:"source"`
	Status    string `json:"status"`
}

func openRaw(path string, noSync bool) (*bolt.DB, error) {
	o := *bolt.DefaultOptions
	o.Timeout = time.Second
	o.NoSync = noSync
	o.NoFreelistSync = true
	o.FreelistType = bolt.FreelistMapType
	return bolt.Open(path, 0o600, &o)
}

// RawImport is the naive pipelined import: one goroutine parses CSV and
// encodes JSON, another writes the record plus a plate index and a status
// index, 10,000 rows per durable transaction. It returns the rows written.
func RawImport(dbPath, csvPath string) (int, error) {
	db, err := openRaw(dbPath, false)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	f, err := os.Open(csvPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	type kv struct{ k, v, pk, sk []byte }
	batches := make(chan []kv, 2)
	var perr error
	go func() {
		defer close(batches)
		r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
		if _, perr = r.Read(); perr != nil {
			return
		}
		var b []kv
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				perr = err
				return
			}
			row := rawRow{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[7], rec[8], rec[9], "unhandled"}
			v, _ := json.Marshal(row)
			b = append(b, kv{[]byte(row.RecordNo), v, []byte(row.Plate + "\x00" + row.PlateType + "\x00" + row.RecordNo), []byte(row.Status + "\x00" + row.RecordNo)})
			if len(b) == 10000 {
				batches <- b
				b = nil
			}
		}
		if len(b) > 0 {
			batches <- b
		}
	}()
	n := 0
	for b := range batches {
		err := db.Update(func(tx *bolt.Tx) error {
			p, _ := tx.CreateBucketIfNotExists([]byte("v"))
			pi, _ := tx.CreateBucketIfNotExists([]byte("plate"))
			si, _ := tx.CreateBucketIfNotExists([]byte("status"))
			for _, r := range b {
				if err := p.Put(r.k, r.v); err != nil {
					return err
				}
			}
			sort.Slice(b, func(i, j int) bool { return string(b[i].pk) < string(b[j].pk) })
			for _, r := range b {
				if err := pi.Put(r.pk, nil); err != nil {
					return err
				}
			}
			for _, r := range b {
				if err := si.Put(r.sk, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(b)
	}
	return n, perr
}

// RawList lists one plate from a RawImport store: index prefix scan, a Get
// per record and a JSON decode, in one read transaction.
func RawList(db *bolt.DB, plate string) (int, error) {
	n := 0
	err := db.View(func(tx *bolt.Tx) error {
		p, pi := tx.Bucket([]byte("v")), tx.Bucket([]byte("plate"))
		pfx := []byte(plate + "\x0002\x00")
		c := pi.Cursor()
		for k, _ := c.Seek(pfx); k != nil && len(k) > len(pfx) && string(k[:len(pfx)]) == string(pfx); k, _ = c.Next() {
			var r rawRow
			if err := json.Unmarshal(p.Get(k[len(pfx):]), &r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// OpenRaw opens a raw baseline store.
func OpenRaw(path string) (*bolt.DB, error) { return openRaw(path, false) }

// RawUpdates measures durable single-record commits by writers goroutines
// for d: with writers == 1 a plain db.Update per record, otherwise a group
// committer (a queue drained by one goroutine, no timer). It returns the
// count and each call's latency.
func RawUpdates(path string, writers int, d time.Duration) (int, []time.Duration, error) {
	db, err := openRaw(path, false)
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("p")); return err })
	val := make([]byte, 334)
	type req struct{ done chan error }
	queue := make(chan req, 1024)
	var seq uint64
	var seqMu sync.Mutex
	put := func(tx *bolt.Tx) error {
		seqMu.Lock()
		seq++
		k := binary.BigEndian.AppendUint64(nil, seq)
		seqMu.Unlock()
		return tx.Bucket([]byte("p")).Put(k, val)
	}
	go func() {
		for r := range queue {
			group := []req{r}
		drain:
			for len(group) < 512 {
				select {
				case r2, ok := <-queue:
					if !ok {
						break drain
					}
					group = append(group, r2)
				default:
					break drain
				}
			}
			err := db.Update(func(tx *bolt.Tx) error {
				for range group {
					if err := put(tx); err != nil {
						return err
					}
				}
				return nil
			})
			for _, g := range group {
				g.done <- err
			}
		}
	}()
	defer close(queue)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			done := make(chan error, 1)
			for time.Now().Before(deadline) {
				s := time.Now()
				var err error
				if writers == 1 {
					err = db.Update(put)
				} else {
					queue <- req{done}
					err = <-done
				}
				if err != nil {
					return
				}
				mine = append(mine, time.Since(s))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return len(lat), lat, nil
}

// RawPayHandler is the baseline of a durable POST: it decodes a small JSON
// body and writes one record with a group commit (a queue drained by one
// committer, no timer), like performance-limits.md §6's POST /pay. Close
// the returned function to stop its committer.
func RawPayHandler(path string) (http.Handler, func(), error) {
	db, err := openRaw(path, false)
	if err != nil {
		return nil, nil, err
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("p")); return err })
	type req struct {
		val  []byte
		done chan error
	}
	queue := make(chan req, 4096)
	var seq uint64
	go func() {
		for r := range queue {
			group := []req{r}
		drain:
			for len(group) < 512 {
				select {
				case r2 := <-queue:
					group = append(group, r2)
				default:
					break drain
				}
			}
			err := db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("p"))
				for _, g := range group {
					seq++
					if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), g.val); err != nil {
						return err
					}
				}
				return nil
			})
			for _, g := range group {
				g.done <- err
			}
		}
	}()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		val, _ := json.Marshal(body)
		done := make(chan error, 1)
		queue <- req{val, done}
		if err := <-done; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}` + "\n"))
	})
	return h, func() { close(queue); db.Close() }, nil
}
