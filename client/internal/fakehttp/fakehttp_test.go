package fakehttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

type fault struct{ conn Conn }

// fake is the smallest fake: one route, answering 200 "ok" unless scripted.
func fake() (*Log[fault], *http.Client) {
	l := &Log[fault]{}
	route := func(r *http.Request) string { return r.Method + " " + r.URL.Path }
	serve := func(w http.ResponseWriter, r *http.Request, route string, _ *fault) {
		Record(l, route, r)
		w, done := Tally(l, route, w)
		defer done()
		WriteJSON(w, http.StatusOK, "ok")
	}
	return l, Client(route, Dispatcher(l, serve, func(f fault) (Conn, fault) { return f.conn, f }))
}

func TestClientFailsTheWayANetworkDoes(t *testing.T) {
	l, c := fake()
	const route = "POST /submit"
	l.Script(route, fault{Refused}, fault{Reset})
	post := func() error {
		res, err := c.Post("http://fake.test/submit", "application/json", strings.NewReader(`{"n":1}`))
		if err == nil {
			_ = res.Body.Close()
		}
		return err
	}
	if err := post(); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refused: %v", err)
	}
	if got := len(l.Bodies(route)); got != 0 {
		t.Errorf("a refused request reached the server (%d bodies)", got)
	}
	if err := post(); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("reset: %v", err)
	}
	if got := len(l.Bodies(route)); got != 1 {
		t.Errorf("a reset request must be served before the drop; %d bodies", got)
	}
	if err := post(); err != nil {
		t.Errorf("unscripted: %v", err)
	}
	if l.Count(route) != 3 || l.Statuses(route)[200] != 2 || string(l.LastBody(route)) != `{"n":1}` {
		t.Errorf("count %d statuses %v last %q", l.Count(route), l.Statuses(route), l.LastBody(route))
	}
}

func TestClientDoesNotDialForADeadContextAndReportsTheWrite(t *testing.T) {
	l, c := fake()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://fake.test/x", nil)
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("dead context: %v", err)
	}
	if l.Count("GET /x") != 0 {
		t.Error("a request with a dead context was served")
	}
	wrote := false
	ctx = httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }})
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://fake.test/x", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if !wrote {
		t.Error("WroteRequest was not reported; the retry policy relies on it to know a submit was sent")
	}
}

func TestWindowRefusesBeyondTheLimitUntilTheOldestLeaves(t *testing.T) {
	var w Window
	t0 := time.Unix(1_000_000, 0)
	for i := range 3 {
		if _, ok := w.Admit(t0.Add(time.Duration(i)*10*time.Second), 3); !ok {
			t.Fatalf("request %d refused within the limit", i)
		}
	}
	wait, ok := w.Admit(t0.Add(30*time.Second), 3)
	if ok || wait != 30*time.Second {
		t.Errorf("4th in the minute: ok=%v wait=%v, want refused for 30s", ok, wait)
	}
	if used, reset := w.State(t0.Add(30 * time.Second)); used != 3 || !reset.Equal(t0.Add(time.Minute)) {
		t.Errorf("state: used %d reset %v", used, reset)
	}
	if _, ok := w.Admit(t0.Add(time.Minute), 3); !ok {
		t.Error("refused after the oldest left the window")
	}
}

func TestPickerChoosesFaultsTheScriptDoesNotCover(t *testing.T) {
	l, c := fake()
	const route = "POST /submit"
	l.Script(route, fault{Reset})
	var seen []string
	SetPicker(l, func(route string, r *http.Request, body []byte) (fault, bool) {
		seen = append(seen, route+" "+string(body))
		return fault{Refused}, string(body) == `{"n":2}`
	})
	post := func(n string) error {
		res, err := c.Post("http://fake.test/submit", "application/json", strings.NewReader(`{"n":`+n+`}`))
		if err == nil {
			_ = res.Body.Close()
		}
		return err
	}
	if err := post("1"); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("scripted: %v", err)
	}
	if err := post("2"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("picked: %v", err)
	}
	if err := post("3"); err != nil {
		t.Errorf("not picked: %v", err)
	}
	if want := []string{`POST /submit {"n":2}`, `POST /submit {"n":3}`}; !slices.Equal(seen, want) {
		t.Errorf("picker saw %q, want %q (the script goes first)", seen, want)
	}
	if got := len(l.Bodies(route)); got != 2 {
		t.Errorf("%d bodies served, want 2 (a refused request is not)", got)
	}
}
