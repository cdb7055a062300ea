package tools

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scrapemcp/scrapemcp/client"
)

// lateReporter returns its page at once but keeps the call's context and,
// once told to, reports a job poll through it, as a provider's straggling
// goroutine could. It also reports one poll while the call is running, so
// the test can see reports do get through then.
type lateReporter struct {
	*fakeProvider
	late chan struct{} // closed by the test once the call has returned
	done chan struct{} // closed once the late report was attempted
}

func (l lateReporter) Scrape(ctx context.Context, r client.ScrapeRequest) (*client.Page, error) {
	poll := func() {
		_, _ = client.Poll(ctx, client.PollSchedule{Start: time.Millisecond, Max: time.Millisecond, Factor: 1},
			func(context.Context) (*client.Job, error) {
				return &client.Job{Ref: client.JobRef{Provider: "local", Kind: client.KindScrape, ID: "s"}, State: client.JobCompleted}, nil
			}, nil)
	}
	poll()
	go func() {
		defer close(l.done)
		<-l.late
		poll()
	}()
	return &client.Page{URL: r.URL, Markdown: "done"}, nil
}

// The spec allows progress only while its request is in progress: a report
// made after the handler returned is dropped, even by a goroutine that
// still holds the call's context.
func TestNoProgressAfterTheHandlerReturns(t *testing.T) {
	lr := lateReporter{fakeProvider: newFake(), late: make(chan struct{}), done: make(chan struct{})}
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	Register(s, Inventory(&Deps{Provider: lr}), nil)

	// A session of our own makes the notification queue observable
	// directly: a report is on it the moment SendNotificationToClient
	// returns, with no forwarding goroutine to wait for.
	sess := server.NewInProcessSession("late", nil)
	if err := s.RegisterSession(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	sess.Initialize()
	ctx := s.WithContext(context.Background(), sess)
	msg := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"scrape","arguments":{"url":"https://late.example/"},"_meta":{"progressToken":"tok"}}}`
	resp := s.HandleMessage(ctx, []byte(msg))
	if r, ok := resp.(mcp.JSONRPCResponse); !ok {
		t.Fatalf("tools/call answered %#v", resp)
	} else if res, ok := r.Result.(*mcp.CallToolResult); !ok || res.IsError {
		t.Fatalf("scrape failed: %#v", r.Result)
	}

	queued := sess.ClientNotifications()
	select {
	case n := <-queued:
		if n.Method != string(mcp.MethodNotificationProgress) {
			t.Fatalf("unexpected notification %s", n.Method)
		}
	default:
		t.Fatal("the report made while the call ran was not sent; the test cannot see reports")
	}

	close(lr.late)
	<-lr.done
	select {
	case n := <-queued:
		t.Errorf("progress sent after the handler returned: %v", n.Params.AdditionalFields)
	default:
	}
}

func TestAwaitNotificationsLetsTheQueueDrainWithinABound(t *testing.T) {
	tests := []struct {
		name     string
		consumer bool // something takes notifications off the queue
		wantMax  time.Duration
		wantMin  time.Duration
	}{
		{name: "returns soon after the writer empties the queue", consumer: true, wantMax: 20*time.Millisecond + 2*flushTick},
		{name: "gives up at the bound when the writer is stuck", wantMin: flushLimit, wantMax: flushLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sess := server.NewInProcessSession("q", nil)
				sess.Initialize()
				for range 3 {
					sess.NotificationChannel() <- mcp.JSONRPCNotification{}
				}
				ctx := server.NewMCPServer("t", "1").WithContext(context.Background(), sess)
				if tt.consumer {
					go func() {
						for range 3 {
							// Fake time: a writer taking its time over each message.
							time.Sleep(5 * time.Millisecond)
							<-sess.ClientNotifications()
						}
					}()
				}
				start := time.Now()
				awaitNotifications(ctx)
				took := time.Since(start)
				if took > tt.wantMax || took < tt.wantMin {
					t.Errorf("waited %s, want between %s and %s", took, tt.wantMin, tt.wantMax)
				}
				if tt.consumer && len(sess.ClientNotifications()) != 0 {
					t.Error("returned with notifications still queued")
				}
			})
		})
	}
}
