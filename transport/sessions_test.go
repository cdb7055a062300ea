package transport

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// Every initialize used to leave a registered session behind for good
// (~12 KB each); now none outlives its initialize, and the id it minted
// still serves the client.
func TestInitializeLeavesNoSessionBehind(t *testing.T) {
	var live atomic.Int64
	hooks := &server.Hooks{}
	hooks.AddOnRegisterSession(func(context.Context, server.ClientSession) { live.Add(1) })
	hooks.AddOnUnregisterSession(func(context.Context, server.ClientSession) { live.Add(-1) })
	m := newTestMCP()
	server.WithHooks(hooks)(m.MCPServer)
	r := startHTTP(t, m.MCPServer, HTTPOptions{Transport: "http"})
	var last map[string][]string
	for range 300 {
		last = httpSession(t, r.base)
	}
	if n := live.Load(); n != 0 {
		t.Errorf("%d sessions still registered after 300 initializes", n)
	}
	_, msgs := post(t, r.base, last, callMessage(2, "echo", map[string]any{"text": "still"}, nil))
	if len(msgs) != 1 || msgs[0]["result"] == nil {
		t.Errorf("the minted session id no longer serves: %v", msgs)
	}
}

// One client's concurrent calls each get their own progress on their own
// stream, all of it before their result.
func TestConcurrentCallsOfOneClientKeepTheirProgressApart(t *testing.T) {
	r := startHTTP(t, newTestMCP().MCPServer, HTTPOptions{Transport: "http"})
	hdr := httpSession(t, r.base)
	const calls = 10
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := float64(100 + i)
			_, msgs := post(t, r.base, hdr, callMessage(id, "progress", map[string]any{"n": 30}, fmt.Sprint("tok-", i)))
			own := 0
			for _, m := range msgs {
				if m["method"] != "notifications/progress" {
					continue
				}
				p, _ := m["params"].(map[string]any)
				if p["progressToken"] != fmt.Sprint("tok-", i) {
					t.Errorf("call %d's stream carried progress of %v", i, p["progressToken"])
					continue
				}
				own++
			}
			checkProgressBeforeResult(t, msgs, id)
			if own == 0 {
				t.Errorf("call %d received none of its own progress", i)
			}
		}()
	}
	wg.Wait()
}
