// Package transport serves an mcp-go server over stdio, SSE and streamable
// HTTP, and holds what mcp-go leaves to the application: who may connect,
// how long and how much a client may take, that clients never see each
// other's messages, that no message breaks the protocol's ordering rules,
// and a graceful stop that answers the calls in flight.
//
// Bounds (see docs/security.md for the threat model):
//   - stdio: one message at most DefaultMaxLine bytes; a larger one is
//     answered with a JSON-RPC error and skipped.
//   - HTTP and SSE: at most MaxConns open connections (more wait to be
//     accepted); headers within 10 s, a body within 30 s of its headers and
//     at most MaxBody bytes, all bodies held at once within BodyBudget;
//     idle keep-alive connections closed after 60 s.
//     A request refused for its token, Origin or size is answered from its
//     headers and its connection closed, so a stalled body holds nothing.
//   - Per-client state (the filters of stdio and SSE) is bounded whatever
//     the client sends.
package transport
