package perf

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The raw baselines: what plain bbolt does with similar rows on this
// machine, measured in the same run as jgctl so that the ratio survives a
// noisy or different machine (docs/performance.md).

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

// Closed runs op from workers goroutines for d, each calling it again as
// soon as it returns, until d is over or op reports false. It returns the
// rate of completed calls and their latencies, sorted.
func Closed(workers int, d time.Duration, op func() bool) (float64, []time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				s := time.Now()
				if !op() {
					break
				}
				mine = append(mine, time.Since(s))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	return float64(len(lat)) / time.Since(start).Seconds(), lat
}

// Quantile returns the q-quantile of sorted latencies.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*q)]
}

// rawCommitter writes records with a group commit: a queue drained by one
// goroutine into one durable transaction, with no timer.
type rawCommitter struct {
	db    *bolt.DB
	queue chan rawWrite
	seq   uint64
}

type rawWrite struct {
	val  []byte
	done chan error
}

func newRawCommitter(path string) (*rawCommitter, error) {
	db, err := openRaw(path, false)
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("p")); return err }); err != nil {
		db.Close()
		return nil, err
	}
	c := &rawCommitter{db: db, queue: make(chan rawWrite, 4096)}
	go c.loop()
	return c, nil
}

func (c *rawCommitter) loop() {
	for w := range c.queue {
		group := []rawWrite{w}
	drain:
		for len(group) < 512 {
			select {
			case w2, ok := <-c.queue:
				if !ok {
					break drain
				}
				group = append(group, w2)
			default:
				break drain
			}
		}
		err := c.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("p"))
			for _, g := range group {
				c.seq++
				if err := b.Put(binary.BigEndian.AppendUint64(nil, c.seq), g.val); err != nil {
					return err
				}
			}
			return nil
		})
		for _, g := range group {
			g.done <- err
		}
	}
}

// write commits one record durably, sharing the commit with concurrent writers.
func (c *rawCommitter) write(val []byte) error {
	done := make(chan error, 1)
	c.queue <- rawWrite{val, done}
	return <-done
}

// writeAlone commits one record in a transaction of its own.
func (c *rawCommitter) writeAlone(val []byte) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		c.seq++
		return tx.Bucket([]byte("p")).Put(binary.BigEndian.AppendUint64(nil, c.seq), val)
	})
}

func (c *rawCommitter) close() { close(c.queue); c.db.Close() }

// RawUpdates measures durable single-record commits by writers goroutines
// for d: with writers == 1 a plain db.Update per record, otherwise the
// group committer. It returns the rate and the sorted latencies.
func RawUpdates(path string, writers int, d time.Duration) (float64, []time.Duration, error) {
	c, err := newRawCommitter(path)
	if err != nil {
		return 0, nil, err
	}
	defer c.close()
	val := make([]byte, 334)
	var failed error
	rate, lat := Closed(writers, d, func() bool {
		var err error
		if writers == 1 {
			err = c.writeAlone(val)
		} else {
			err = c.write(val)
		}
		if err != nil {
			failed = err
		}
		return err == nil
	})
	return rate, lat, failed
}

// RawPayHandler is the baseline of a durable POST: it decodes a small JSON
// body and writes it with the group committer, as a minimal durable
// POST /pay would. Call the returned function to stop it.
func RawPayHandler(path string) (http.Handler, func(), error) {
	c, err := newRawCommitter(path)
	if err != nil {
		return nil, nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		val, _ := json.Marshal(body)
		if err := c.write(val); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}` + "\n"))
	})
	return h, c.close, nil
}
