package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// The bank's payment notifications are signed, not authenticated by a
// token: header X-Jgctl-Signature "t=<unix seconds>,v1=<hex>", where v1 is
// HMAC-SHA256(secret, "<t>.<body>"), and t must be within five minutes of
// the server's clock so that a captured notification cannot be replayed
// later (and replaying it early changes nothing: payments are idempotent).
const signatureWindow = 5 * time.Minute

// Sign returns the X-Jgctl-Signature value for a body at time t (what a
// gateway, or a test, sends).
func Sign(secret, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func verify(secret, body []byte, header string, now time.Time) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > signatureWindow || d < -signatureWindow {
		return false
	}
	want, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), want)
}

func (h *Handler) notification(w http.ResponseWriter, r *http.Request) {
	if len(h.o.NotifySecret) == 0 {
		h.fail(w, r, rules.ErrCallbackDisabled)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	if err != nil {
		h.fail(w, r, rules.ErrBodyTooLarge.WithField("body"))
		return
	}
	if !verify(h.o.NotifySecret, body, r.Header.Get("X-Jgctl-Signature"), h.e.Now()) {
		h.fail(w, r, rules.ErrBadSignature)
		return
	}
	var c gateway.Charge
	if err := notifyCodec.unmarshal(body, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.e.Notified(r.Context(), c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

var notifyCodec = newCodec(api.BankNotification.Info())
