package tools

import (
	"container/list"

	"github.com/scrapemcp/scrapemcp/client"
	"sync"
	"time"
)

func pageSize(p *client.Page) int {
	size := len(p.Markdown) + len(p.HTML) + len(p.JSON)
	if p.Screenshot != nil {
		size += len(p.Screenshot.PNG)
	}
	for _, l := range p.Links {
		size += len(l)
	}
	return size
}

// resultCache keeps recent results (pages, maps, searches) so that
// continuing a truncated result (start_index or cursor) reads the same bytes
// the first call saw — the pieces reassemble exactly — and costs no second
// fetch or credit.
type resultCache struct {
	mu       sync.Mutex
	ll       *list.List // front = most recent
	items    map[string]*list.Element
	maxItems int
	maxBytes int
	bytes    int
	ttl      time.Duration
}

type cachedPage struct {
	key   string
	value any
	size  int
	until time.Time
}

func newResultCache(maxItems, maxBytes int, ttl time.Duration) *resultCache {
	return &resultCache{ll: list.New(), items: map[string]*list.Element{}, maxItems: maxItems, maxBytes: maxBytes, ttl: ttl}
}

func (c *resultCache) get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	cp := el.Value.(*cachedPage)
	if time.Now().After(cp.until) {
		c.remove(el)
		return nil
	}
	c.ll.MoveToFront(el)
	return cp.value
}

// put stores v, whose memory cost is about size bytes.
func (c *resultCache) put(key string, v any, size int) {
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.ll.PushFront(&cachedPage{key: key, value: v, size: size, until: time.Now().Add(c.ttl)})
	c.bytes += size
	for c.ll.Len() > c.maxItems || c.bytes > c.maxBytes {
		c.remove(c.ll.Back())
	}
}

func (c *resultCache) remove(el *list.Element) {
	cp := el.Value.(*cachedPage)
	delete(c.items, cp.key)
	c.bytes -= cp.size
	c.ll.Remove(el)
}
