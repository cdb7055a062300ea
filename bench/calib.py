#!/usr/bin/env python3
"""Calibration server for bench/suite: the least an MCP stdio server can do.

It answers initialize and tools/list, and its one tool, fetch, does a
keep-alive GET of the URL (one connection per thread) and returns the body as
text. No parsing, no conversion: what it costs above the page's own latency is
the floor any server pays for the protocol and one HTTP request.
"""
import http.client
import json
import sys
import threading
import urllib.parse

out_lock = threading.Lock()
local = threading.local()


def send(msg):
    line = json.dumps(msg) + "\n"
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def get(url):
    u = urllib.parse.urlsplit(url)
    conns = getattr(local, "conns", None)
    if conns is None:
        conns = local.conns = {}
    c = conns.get(u.netloc)
    if c is None:
        c = conns[u.netloc] = http.client.HTTPConnection(u.netloc, timeout=30)
    c.request("GET", u.path + ("?" + u.query if u.query else ""))
    return c.getresponse().read().decode("utf-8", "replace")


def call(msg):
    try:
        text = get(msg["params"]["arguments"]["url"])
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {"content": [{"type": "text", "text": text}]}})
    except Exception as e:  # noqa: BLE001 - a calibration server reports anything
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {"content": [{"type": "text", "text": str(e)}], "isError": True}})


TOOL = {"name": "fetch", "description": "GET a URL", "inputSchema": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}}

for line in sys.stdin:
    msg = json.loads(line)
    method, mid = msg.get("method"), msg.get("id")
    if mid is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                                                       "serverInfo": {"name": "calib", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": mid, "result": {"tools": [TOOL]}})
    elif method == "tools/call":
        threading.Thread(target=call, args=(msg,), daemon=True).start()
    else:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "method not found"}})
