package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapemcp/scrapemcp/client"
)

// keys maps the key names agents use (the DOM's KeyboardEvent.key values)
// to chromedp's key runes. A single character is typed as itself.
var keys = map[string]string{
	"enter": kb.Enter, "tab": kb.Tab, "escape": kb.Escape,
	"backspace": kb.Backspace, "delete": kb.Delete, "space": " ",
	"arrowdown": kb.ArrowDown, "arrowup": kb.ArrowUp, "arrowleft": kb.ArrowLeft, "arrowright": kb.ArrowRight,
	"pagedown": kb.PageDown, "pageup": kb.PageUp, "home": kb.Home, "end": kb.End,
}

// KeyFor returns what press sends for name, and whether name is a key.
func KeyFor(name string) (string, bool) {
	if k, ok := keys[strings.ToLower(strings.TrimSpace(name))]; ok {
		return k, true
	}
	if r := []rune(name); len(r) == 1 {
		return name, true
	}
	return "", false
}

// act runs one action. Every step is bounded by client.MaxActionWait on
// top of the call's own deadline.
func (t *tab) act(ctx context.Context, a client.Action) error {
	step := client.MaxActionWait
	if a.Milliseconds > 0 {
		step = time.Duration(a.Milliseconds) * time.Millisecond
	}
	switch a.Type {
	case client.ActionWait:
		tm := time.NewTimer(step)
		defer tm.Stop()
		select {
		case <-tm.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-t.ctx.Done():
			return t.ctx.Err()
		}
	case client.ActionWaitFor:
		return t.waitFor(ctx, a.Selector, step)
	case client.ActionClick:
		sctx, cancel := context.WithTimeout(t.ctx, step)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.Click(chromedp.CSS(a.Selector), chromedp.NodeVisible)); err != nil {
			if sctx.Err() != nil && ctx.Err() == nil {
				return fmt.Errorf("no visible element matched %q within %d ms", a.Selector, step.Milliseconds())
			}
			return err
		}
	case client.ActionScroll:
		sctx, cancel := context.WithTimeout(t.ctx, step)
		defer cancel()
		sign := 1
		if a.Direction == "up" {
			sign = -1
		}
		var err error
		if a.Selector != "" {
			// The element scrolls by its own height (a list in a scrolling
			// box), after being brought into view, so that an element that
			// does not scroll itself is at least on screen.
			err = chromedp.Do(sctx, chromedp.ScrollIntoView(chromedp.CSS(a.Selector)))
			if err == nil {
				sel, _ := json.Marshal(a.Selector) // a JSON string is a JavaScript string literal
				_, err = chromedp.Run(sctx, chromedp.Evaluate[any](fmt.Sprintf(
					`(() => { const el = document.querySelector(%s); if (el) el.scrollBy(0, %d * (el.clientHeight || window.innerHeight)); return null; })()`,
					sel, sign)))
			}
		} else {
			_, err = chromedp.Run(sctx, chromedp.Evaluate[any](fmt.Sprintf(
				`window.scrollBy(0, %d * window.innerHeight); null`, sign)))
		}
		if err != nil {
			if sctx.Err() != nil && ctx.Err() == nil {
				return fmt.Errorf("no element matched %q within %d ms", a.Selector, step.Milliseconds())
			}
			return err
		}
	case client.ActionWrite:
		if _, err := chromedp.Call(t.ctx, input.InsertText, input.InsertTextParams{Text: a.Text}); err != nil {
			return err
		}
	case client.ActionPress:
		k, ok := KeyFor(a.Key)
		if !ok {
			return fmt.Errorf("%q is not a key name", a.Key)
		}
		if err := chromedp.Do(t.ctx, chromedp.KeyEvent(k)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown action type %q", a.Type)
	}
	// A click, scroll or key press may start loading (the next rows of an
	// infinite list, a form's answer); give the network a moment.
	t.settle(ctx, afterAction, false)
	return ctx.Err()
}
