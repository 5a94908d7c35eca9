package replicatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

const (
	decisions = 200 // decided records, payable by decision number
	drivers   = 20  // registered drivers, who get the "paid" messages
	replicas  = 3
	workers   = 24 // concurrent clients
	// claimGrace is how long the killed replica's payment claims are left
	// before the test lapses them, as their time to live would.
	claimGrace = time.Second
)

// now is every replica's clock: one day, so that every payer of a
// decision is quoted the same amount.
func now() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }

// TestReplicas runs three `jgctl serve` replicas (each its own engine,
// pool, claims, key reservations, throttles and token cache, behind its own
// HTTP server) on one PostgreSQL database and one payment gateway. Clients
// pay 200 decisions through random replicas, several clients per decision,
// each repeating its idempotency key; one replica dies mid-load. Afterwards
// every decision has exactly one payment, one gateway charge (by the order
// the payment names, kept) and one "paid" message; every client was answered a receipt of that payment or
// DECISION_ALREADY_PAID, never a 500; and the store verifies clean.
func TestReplicas(t *testing.T) {
	for _, iso := range []string{"read committed", "repeatable read"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			runReplicas(t, pgtest.NewDB(t, iso))
		})
	}
}

func runReplicas(t *testing.T, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, _, err := app.Migrate(ctx, dsn, false); err != nil {
		t.Fatal(err)
	}
	token := seed(t, dsn)
	bank := &ledger{Sandbox: gateway.NewSandbox(gateway.Approve), orders: map[string]bool{}}
	var rs []*replica
	var cs []*client.Client
	var ss []*statuses
	for range replicas {
		r := startReplica(t, dsn, token, bank)
		rs, cs, ss = append(rs, r), append(cs, r.client), append(ss, &r.statuses)
	}
	payers := load(ctx, t, cs, ss, func() string {
		for deadline := time.Now().Add(time.Second); !rs[0].busy() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // kill it with payments in flight
		}
		decs := rs[0].kill()
		return fmt.Sprintf("payments of %d decisions in flight on the killed replica, %d of their claims lapsed",
			len(decs), lapseClaims(ctx, t, dsn, decs))
	})
	check(ctx, t, dsn, payers, bank)
}

// load pays every decision through random replicas, 2-4 clients a
// decision, each with its own key, each sending it 1-3 times, in a random
// order; kill kills a replica when half the clients are done, and says
// what it did. It fails t if the load overruns ctx or a replica answered
// a 500.
func load(ctx context.Context, t *testing.T, cs []*client.Client, ss []*statuses, kill func() string) []*payer {
	var payers []*payer
	for i := range decisions {
		for c := range 2 + rand.IntN(3) {
			payers = append(payers, &payer{dec: perf.DecisionNo(i), key: fmt.Sprintf("rep-%d-%d", i, c), sends: 1 + rand.IntN(3)})
		}
	}
	rand.Shuffle(len(payers), func(i, j int) { payers[i], payers[j] = payers[j], payers[i] })
	queue := make(chan *payer, len(payers))
	for _, p := range payers {
		queue <- p
	}
	close(queue)

	var done atomic.Int64
	half := make(chan struct{})
	killed := make(chan string, 1)
	go func() {
		select {
		case <-half:
			killed <- kill()
		case <-ctx.Done():
			killed <- "no replica killed"
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range queue {
				p.pay(ctx, cs)
				if done.Add(1) == int64(len(payers)/2) {
					close(half)
				}
			}
		})
	}
	wg.Wait()
	var n5xx int64
	for i, s := range ss {
		n5xx += s.status5xx.Load()
		if n := s.status500.Load(); n > 0 {
			t.Errorf("replica %d answered %d requests with HTTP 500", i, n)
		}
	}
	t.Logf("%d clients, %d requests in %v; %d connection errors, %d 5xx answers; %s",
		len(payers), countRequests(payers), time.Since(start).Round(time.Millisecond), countConnErrors(payers), n5xx, <-killed)
	if ctx.Err() != nil {
		t.Fatalf("the load did not finish in time: %v", ctx.Err())
	}
	return payers
}

// seed imports the licences of the drivers and the decided records
// through one engine, registers the drivers (so that they are sent the
// "paid" messages), and returns a staff token (tokens live in the
// database, so it is valid on every replica).
func seed(t *testing.T, dsn string) string {
	ctx := context.Background()
	e, st, err := app.Open(dsn, app.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var lic, vio strings.Builder
	lic.WriteString("id_number,name,file_no,classes,first_issued_on,valid_until,status,phone\n")
	for d := range drivers {
		fmt.Fprintf(&lic, "%s,张三,3701%08d,C1,2015-06-01,2031-06-01,normal,138%08d\n", perf.IDNumber(d), d, d)
	}
	vio.WriteString("record_no,plate,plate_type,occurred_at,location,code,description,fine,points,source,decision_no,served_on,driver_id_number\n")
	for i := range decisions {
		fmt.Fprintf(&vio, "%s,%s,02,2026-11-01T08:15:00+08:00,经十路%d号,1625,,200,6,onsite,%s,2026-11-20,%s\n",
			perf.RecordNo(i), perf.Plate(i), i, perf.DecisionNo(i), perf.IDNumber(i%drivers))
	}
	for _, f := range []struct {
		kind api.ImportKind
		data string
		rows int
	}{{api.ImportLicences, lic.String(), drivers}, {api.ImportViolations, vio.String(), decisions}} {
		res, err := e.Import(ctx, api.Staff, api.ImportRequest{Kind: f.kind}, strings.NewReader(f.data), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != f.rows || res.Rejected != 0 {
			t.Fatalf("import %s: %+v", f.kind, res)
		}
	}
	for d := range drivers {
		if _, err := e.RegisterPerson(ctx, api.Staff, api.RegisterPersonRequest{IDNumber: perf.IDNumber(d), Name: "张三",
			Phone: fmt.Sprintf("138%08d", d), FileNo: fmt.Sprintf("3701%08d", d)}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "replica-load"})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// replica is one `jgctl serve`: an engine opened by app.Open behind the
// handler serve runs. It reaches the database through a proxy of its own
// and the bank through a gateway that it alone uses, so that killing it
// cuts both at once, as the death of its process would.
type replica struct {
	srv    *httptest.Server
	db     *proxy
	client *client.Client
	dead   atomic.Bool
	mu     sync.Mutex
	paying map[string]int // decision → its requests in flight (kept once dead)
	statuses
}

// statuses counts the requests in flight to a replica and its 5xx
// answers, its 500s apart.
type statuses struct{ inFlight, status500, status5xx atomic.Int64 }

func startReplica(t *testing.T, dsn, token string, bank gateway.Gateway) *replica {
	r := &replica{db: newProxy(t, hostOf(t, dsn)), paying: map[string]int{}}
	e, st, err := app.Open(viaProxy(t, dsn, r.db.ln.Addr().String()), app.Config{Now: now, Gateway: mortalGateway{bank, &r.dead}})
	if err != nil {
		t.Fatal(err)
	}
	h := server.Serving(e, server.Options{Log: slog.New(slog.DiscardHandler)})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		defer r.track(req)()
		h.ServeHTTP(mortalWriter{w, &r.dead}, req)
		if r.dead.Load() {
			panic(http.ErrAbortHandler) // a dead process answers nothing
		}
	}))
	t.Cleanup(func() {
		r.srv.Close()
		r.db.kill()
		st.Close()
	})
	r.client = newClient(t, r.srv.URL, token, &r.statuses)
	return r
}

// newClient returns a client of one replica that never retries by itself
// and counts the replica's 5xx answers.
func newClient(t *testing.T, url, token string, s *statuses) *client.Client {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: statusCounter{&http.Transport{MaxIdleConnsPerHost: workers}, s}}
	c, err := client.New(url, client.WithToken(token), client.WithRetries(0), client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// track notes the decision a payment request names while it is served;
// the returned function ends that, unless the replica died meanwhile.
func (r *replica) track(req *http.Request) func() {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	var pr api.PayRequest
	json.Unmarshal(body, &pr)
	r.mu.Lock()
	r.paying[pr.DecisionNo]++
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		if !r.dead.Load() {
			if r.paying[pr.DecisionNo]--; r.paying[pr.DecisionNo] == 0 {
				delete(r.paying, pr.DecisionNo)
			}
		}
		r.mu.Unlock()
	}
}

// busy reports whether payments are in flight on the replica.
func (r *replica) busy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.paying) > 0
}

// kill is the closest in-process equivalent of SIGKILL: from this moment
// the replica answers no request, calls the bank no more, and its database
// sessions drop (their open transactions roll back); its listener and
// every client connection close. What it held in the database (payment
// claims) stays until it lapses. It returns the decisions whose payments
// were in flight on it.
func (r *replica) kill() []string {
	r.dead.Store(true)
	r.db.kill()
	r.srv.CloseClientConnections()
	r.srv.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Collect(maps.Keys(r.paying))
}

// lapseClaims lapses the payment claims of decs that are still held by
// the same order claimGrace after a replica died, as their two-minute time
// to live would: those are the dead replica's (a live replica releases its
// claims long before). It returns how many lapsed.
func lapseClaims(ctx context.Context, t *testing.T, dsn string, decs []string) int {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close(context.Background())
	// What the dead replica sent before it died reaches the database
	// after it: let it land, so that a claim it took is among those read.
	time.Sleep(100 * time.Millisecond)
	rows, _ := conn.Query(ctx, "SELECT decision_no, order_id FROM payment_claims WHERE decision_no = ANY($1)", decs)
	held, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Decision, Order string }])
	if err != nil {
		t.Error(err)
		return 0
	}
	select {
	case <-time.After(claimGrace):
	case <-ctx.Done():
		return 0
	}
	n := 0
	for _, c := range held {
		tag, err := conn.Exec(ctx, "UPDATE payment_claims SET claimed_until = now() WHERE decision_no = $1 AND order_id = $2", c.Decision, c.Order)
		if err != nil {
			t.Error(err)
			return n
		}
		n += int(tag.RowsAffected())
	}
	return n
}

// payer is one client paying one decision under its own key.
type payer struct {
	dec, key string
	sends    int // how often it sends its request, the same key each time
	outcomes []outcome
	requests int
	connErrs int
}

// outcome is the final answer to one send.
type outcome struct {
	receipt *api.Receipt
	err     error
}

// maxAttempts bounds the retries of one send.
const maxAttempts = 20

// pay sends the payer's request sends times, each through a random
// replica, retrying a connection error or a 5xx answer with the same key on
// another random replica.
func (p *payer) pay(ctx context.Context, cs []*client.Client) {
	req := api.PayRequest{Mutation: api.Mutation{IdempotencyKey: p.key}, DecisionNo: p.dec}
	for range p.sends {
		var o outcome
		for attempt := 1; ; attempt++ {
			p.requests++
			o.receipt, o.err = cs[rand.IntN(len(cs))].Payments.Pay(ctx, req)
			var re *rules.Error
			errors.As(o.err, &re)
			retry := errors.Is(o.err, rules.ErrEndpointUnavailable) || (re != nil && re.Kind == rules.KindUnavailable)
			if errors.Is(o.err, rules.ErrEndpointUnavailable) {
				p.connErrs++
			}
			if !retry || attempt == maxAttempts || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		}
		p.outcomes = append(p.outcomes, o)
	}
}

// check asserts the invariants through a fresh engine's store.
func check(ctx context.Context, t *testing.T, dsn string, payers []*payer, bank *ledger) {
	_, st, err := app.Open(dsn, app.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	payments := map[string]*rules.Payment{}
	paid := map[string]int{} // "paid" messages per decision
	err = st.View(ctx, func(tx store.Tx) error {
		for i := range decisions {
			dec := perf.DecisionNo(i)
			p, err := tx.PaymentOfDecision(dec)
			if err != nil {
				return err
			}
			payments[dec] = p
		}
		for after := uint64(0); ; {
			ms, err := tx.Outbox(after, 1000)
			if err != nil || len(ms) == 0 {
				return err
			}
			for _, m := range ms {
				after = m.Seq
				if m.Template != "paid" {
					continue
				}
				dec := strings.TrimPrefix(m.Text, "【交管】决定书")
				paid[dec[:min(16, len(dec))]]++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	// Every decision: one payment, charged once net of refunds, one message.
	total := rules.Fen(0)
	for dec, p := range payments {
		if p == nil {
			t.Errorf("decision %s: no payment", dec)
			continue
		}
		total = total.Add(p.Amount)
		if n := paid[dec]; n != 1 {
			t.Errorf("decision %s: %d \"paid\" messages, want 1 (payment by order %s, idempotency key %q)", dec, n, p.OrderID, p.IdempotencyKey)
		}
	}
	if len(paid) != decisions {
		t.Errorf("\"paid\" messages name %d decisions, want %d", len(paid), decisions)
	}
	if bank != nil {
		checkBank(ctx, t, bank, payments, total)
	} else {
		checkNoRefunds(ctx, t, dsn)
	}

	// Every client: a receipt of the decision's payment or
	// DECISION_ALREADY_PAID, the same answer to each send of its key.
	receipts := map[string]int{}
	for _, c := range payers {
		p := payments[c.dec]
		for i, o := range c.outcomes {
			switch {
			case o.err == nil:
				if p == nil || o.receipt.ID != p.ID || o.receipt.OrderID != p.OrderID || !o.receipt.Amount.Equal(p.Amount) {
					t.Errorf("key %s (decision %s) got receipt %s of order %s, the payment is %+v", c.key, c.dec, o.receipt.ID, o.receipt.OrderID, p)
				}
				receipts[c.dec]++
			case !errors.Is(o.err, rules.ErrAlreadyPaid):
				t.Errorf("key %s (decision %s), send %d: %v", c.key, c.dec, i+1, o.err)
			}
			if i > 0 && (o.err == nil) != (c.outcomes[0].err == nil) {
				t.Errorf("key %s (decision %s): send 1 answered %v, send %d %v", c.key, c.dec, c.outcomes[0].err, i+1, o.err)
			}
		}
	}
	for dec := range payments {
		if receipts[dec] == 0 {
			t.Errorf("decision %s: no client got a receipt", dec)
		}
	}

	rep, err := st.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Payments != decisions {
		t.Errorf("store check: %d payments, problems %q", rep.Payments, rep.Problems)
	}
}

// checkBank asserts that the bank was charged once for each decision:
// by the order its payment names, for its amount, and kept that charge.
func checkBank(ctx context.Context, t *testing.T, bank *ledger, payments map[string]*rules.Payment, total rules.Money) {
	for dec, p := range payments {
		if p == nil {
			continue
		}
		orders := bank.ordersOf(dec)
		if len(orders) != 1 {
			t.Errorf("decision %s: the bank was charged %d orders %v, want 1 (the claim comes before the charge)", dec, len(orders), orders)
		}
		var kept []string
		for _, order := range orders {
			c, err := bank.Status(ctx, order)
			if err != nil {
				t.Fatal(err)
			}
			if c.Paid {
				kept = append(kept, order)
				if !c.Amount.Equal(p.Amount) {
					t.Errorf("decision %s: order %s charged %s, the payment is %s", dec, order, c.Amount, p.Amount)
				}
			}
		}
		if len(kept) != 1 || kept[0] != p.OrderID {
			t.Errorf("decision %s: charged and not refunded by orders %v, the payment names order %s", dec, kept, p.OrderID)
		}
	}
	sum, n := bank.Charged()
	if n != decisions || !sum.Equal(total) {
		t.Errorf("the bank kept %d charges of %s in all, the payments are %d of %s", n, sum, decisions, total)
	}
	t.Logf("the bank was charged %d orders and refunded %d", bank.Orders(), bank.refunds.Load())
}

// checkNoRefunds asserts, when the bank is out of reach (one sandbox per
// process), that the store gave no charge back: no decision's payment
// was charged by a second order that reached a gateway.
func checkNoRefunds(ctx context.Context, t *testing.T, dsn string) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM idempotency WHERE scope = 'refunded_order'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d orders were charged and given back", n)
	}
}

func countRequests(ps []*payer) (n int) {
	for _, p := range ps {
		n += p.requests
	}
	return n
}

func countConnErrors(ps []*payer) (n int) {
	for _, p := range ps {
		n += p.connErrs
	}
	return n
}

// ledger is the one bank of every replica: the sandbox, with the orders
// charged and the refunds given counted.
type ledger struct {
	*gateway.Sandbox
	mu      sync.Mutex
	orders  map[string]bool
	refunds atomic.Int64
}

// Charge implements gateway.Gateway.
func (l *ledger) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := l.Sandbox.Charge(ctx, order, amount)
	if err == nil {
		l.mu.Lock()
		l.orders[order] = true
		l.mu.Unlock()
	}
	return ref, err
}

// Refund implements gateway.Gateway.
func (l *ledger) Refund(ctx context.Context, order string) error {
	err := l.Sandbox.Refund(ctx, order)
	if err == nil {
		l.refunds.Add(1)
	}
	return err
}

// ordersOf lists the orders charged for a decision (order IDs start with
// "ORD-" and the decision number).
func (l *ledger) ordersOf(dec string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for o := range l.orders {
		if strings.HasPrefix(o, "ORD-"+dec+"-") {
			out = append(out, o)
		}
	}
	return out
}

var errKilled = errors.New("replica killed")

// mortalGateway is a replica's way to the bank: closed when it dies.
type mortalGateway struct {
	gateway.Gateway
	dead *atomic.Bool
}

func (g mortalGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	if g.dead.Load() {
		return "", errKilled
	}
	return g.Gateway.Charge(ctx, order, amount)
}

func (g mortalGateway) Refund(ctx context.Context, order string) error {
	if g.dead.Load() {
		return errKilled
	}
	return g.Gateway.Refund(ctx, order)
}

func (g mortalGateway) Status(ctx context.Context, order string) (gateway.Charge, error) {
	if g.dead.Load() {
		return gateway.Charge{}, errKilled
	}
	return g.Gateway.Status(ctx, order)
}

// mortalWriter writes nothing once its replica is dead.
type mortalWriter struct {
	http.ResponseWriter
	dead *atomic.Bool
}

func (w mortalWriter) WriteHeader(code int) {
	if !w.dead.Load() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w mortalWriter) Write(b []byte) (int, error) {
	if w.dead.Load() {
		return 0, errKilled
	}
	return w.ResponseWriter.Write(b)
}

// statusCounter counts a replica's 5xx answers.
type statusCounter struct {
	base http.RoundTripper
	s    *statuses
}

func (s statusCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	s.s.inFlight.Add(1)
	defer s.s.inFlight.Add(-1)
	resp, err := s.base.RoundTrip(req)
	if err == nil && resp.StatusCode >= 500 {
		s.s.status5xx.Add(1)
		if resp.StatusCode == http.StatusInternalServerError {
			s.s.status500.Add(1)
		}
	}
	return resp, err
}

// proxy is a replica's TCP path to the database: killing it drops every
// session, as the database sees a process die.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool
	dead   bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
	return p
}

func (p *proxy) pipe(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.dead {
		p.mu.Unlock()
		c.Close()
		d.Close()
		return
	}
	p.conns[c], p.conns[d] = true, true
	p.mu.Unlock()
	go func() {
		io.Copy(d, c)
		d.Close()
		c.Close()
	}()
	io.Copy(c, d)
	c.Close()
	d.Close()
}

func (p *proxy) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dead = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
}

func hostOf(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func viaProxy(t *testing.T, dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

// TestClientGivesUpAfterCharge: a client that gives up (its connection
// closes) after the bank took its money but before the payment is written
// must not leave that charge behind when another client then pays the
// decision through another replica.
func TestClientGivesUpAfterCharge(t *testing.T) {
	dsn := pgtest.NewDB(t, "read committed")
	ctx := context.Background()
	if _, _, err := app.Migrate(ctx, dsn, false); err != nil {
		t.Fatal(err)
	}
	token := seed(t, dsn)
	bank := &ledger{Sandbox: gateway.NewSandbox(gateway.Approve), orders: map[string]bool{}}
	charged := make(chan struct{})
	a := startReplica(t, dsn, token, stallAfterCharge{bank, charged})
	b := startReplica(t, dsn, token, bank)
	dec := perf.DecisionNo(0)

	quit, cancel := context.WithCancel(ctx)
	go func() { <-charged; cancel() }()
	_, err := a.client.Payments.Pay(quit, api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "gives-up"}, DecisionNo: dec})
	if err == nil {
		t.Fatal("the client that gave up got an answer")
	}
	a.srv.Close() // waits for the abandoned request to end
	// The abandoned payment was recorded all the same: the next payer finds
	// the decision paid and nothing is charged again.
	_, err = b.client.Payments.Pay(ctx, api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "pays"}, DecisionNo: dec})
	if !errors.Is(err, rules.ErrAlreadyPaid) {
		t.Fatalf("the next payer = %v, want DECISION_ALREADY_PAID", err)
	}
	if _, n := bank.Charged(); n != 1 {
		t.Errorf("decision %s: the bank keeps %d charges of orders %v (%d refunds), want the first alone", dec, n, bank.ordersOf(dec), bank.refunds.Load())
	}
}

// stallAfterCharge charges, says so, and answers only once its caller's
// context ends: the client gives up between the charge and the write.
type stallAfterCharge struct {
	gateway.Gateway
	charged chan struct{}
}

func (g stallAfterCharge) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := g.Gateway.Charge(ctx, order, amount)
	close(g.charged)
	<-ctx.Done()
	return ref, err
}

// TestProcesses is TestReplicas with three real `jgctl serve` processes,
// one killed with SIGKILL mid-load. Each process has its own sandbox
// gateway, so the single charge is checked from the store: no order was
// charged and given back.
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jgctl and runs three serve processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "jgctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/jgctl/jgctl/cmd/jgctl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dsn := pgtest.NewDB(t, "read committed")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, _, err := app.Migrate(ctx, dsn, false); err != nil {
		t.Fatal(err)
	}
	token := seed(t, dsn)
	var procs []*exec.Cmd
	var cs []*client.Client
	var ss []*statuses
	for i := range replicas {
		addr := filepath.Join(dir, fmt.Sprint("addr", i))
		cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--addr-file", addr)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "JGCTL_STORE="+dsn, "JGCTL_NOW="+now().Format(time.RFC3339))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		procs = append(procs, cmd)
		var listen []byte
		for deadline := time.Now().Add(10 * time.Second); len(listen) == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("jgctl serve %d wrote no address", i)
			}
			listen, _ = os.ReadFile(addr)
		}
		s := &statuses{}
		cs, ss = append(cs, newClient(t, "http://"+string(listen), token, s)), append(ss, s)
	}
	all := make([]string, decisions)
	for i := range all {
		all[i] = perf.DecisionNo(i)
	}
	payers := load(ctx, t, cs, ss, func() string {
		for deadline := time.Now().Add(time.Second); ss[0].inFlight.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // kill it with payments in flight
		}
		procs[0].Process.Signal(syscall.SIGKILL)
		procs[0].Wait()
		return fmt.Sprintf("one process killed with SIGKILL, %d of its claims lapsed", lapseClaims(ctx, t, dsn, all))
	})
	check(ctx, t, dsn, payers, nil)
}
