// Helpers shared by the interop tests: start the real scrapemcp binary on
// each transport, a loopback website, and the fake provider APIs.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv from "ajv";

export const BIN = process.env.SCRAPEMCP_BIN;
export const FAKEAPI = process.env.FAKEAPI_BIN;
if (!BIN || !FAKEAPI) throw new Error("run through test/node/run.sh (SCRAPEMCP_BIN and FAKEAPI_BIN unset)");

export const TOOLS = ["scrape", "batch_scrape", "crawl", "job_status", "job_cancel", "map", "search", "extract", "sessions"];

// cleanEnv keeps the developer's provider keys out of the server.
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ANAKIN_|ALTERLAB_|SCRAPEMCP_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

const cleanups = [];
export async function cleanup() {
  while (cleanups.length) await cleanups.pop()();
}

// site serves a small article on 127.0.0.1.
export async function site() {
  const srv = createServer((req, res) => {
    if (req.url === "/robots.txt") { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>Node Site</title></head><body><article><h1>Node Site</h1>
<p>This article is served by the Node test harness on loopback. It has enough words in it for readability to pick it as the main content of the page without hesitation.</p>
<h2>Details</h2><p>A second paragraph with a <a href="/more">link</a> and a few more words to be safe.</p></article></body></html>`);
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  cleanups.push(() => new Promise((r) => srv.close(r)));
  return `http://127.0.0.1:${srv.address().port}`;
}

// spawnAnnounced starts a process and resolves with the first stdout/stderr
// match of re.
function spawnAnnounced(cmd, args, env, stream, re) {
  const p = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => { p.kill(); });
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not announce itself: ${buf}`)), 30000);
    p[stream].on("data", (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    p.on("exit", (code) => reject(new Error(`${cmd} exited ${code}: ${buf}`)));
  });
}

// fakeAPI starts internal/fakeapi and returns {url, stats()}.
export async function fakeAPI(provider) {
  const url = await spawnAnnounced(FAKEAPI, ["--provider", provider, "--key", "test-key"], cleanEnv(), "stdout", /^(http:\/\/\S+)/m);
  const origin = new URL(url).origin;
  return { url, stats: async () => (await fetch(`${origin}/_fake/stats`)).json() };
}

// serve starts `scrapemcp <transport>` and returns its endpoint URL.
export function serve(transport, args = [], env = {}) {
  return spawnAnnounced(BIN, [transport, "--addr", "127.0.0.1:0", ...args], cleanEnv(env), "stderr", /url=(http:\/\/\S+)/);
}

// connect opens a TS SDK client on the named transport.
export async function connect(transport, args = [], env = {}) {
  let t;
  if (transport === "stdio") {
    t = new StdioClientTransport({ command: BIN, args: ["stdio", ...args], env: cleanEnv(env), stderr: "ignore" });
  } else if (transport === "sse") {
    t = new SSEClientTransport(new URL(await serve("sse", args, env)));
  } else {
    t = new StreamableHTTPClientTransport(new URL(await serve("http", args, env)));
  }
  const c = new Client({ name: "ts-sdk-interop", version: "1" });
  await c.connect(t);
  cleanups.push(() => c.close());
  return c;
}

const ajv = new Ajv({ strict: false, allErrors: true });
export function validator(tool) {
  return ajv.compile(tool.outputSchema);
}

export function guidance(result) {
  return result.structuredContent?.guidance?.action;
}
