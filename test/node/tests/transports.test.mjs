// The TypeScript SDK client against the real binary on every transport,
// on the local backend.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { TOOLS, cleanup, connect, guidance, site, validator } from "./lib.mjs";

after(cleanup);

for (const transport of ["stdio", "sse", "http"]) {
  test(`${transport}: tools are listed with portable schemas, scrape works, bad input is guidance`, async () => {
    const web = await site();
    const c = await connect(transport, ["--allow-hosts", "127.0.0.1"]);
    const { tools } = await c.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort());
    for (const t of tools) {
      assert.ok(t.description, `${t.name} has a description`);
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
        assert.equal(typeof t.annotations?.[hint], "boolean", `${t.name} sets ${hint}`);
      }
      assert.equal(t.inputSchema.type, "object");
      const raw = JSON.stringify([t.inputSchema, t.outputSchema]);
      assert.ok(!raw.includes("$ref") && !raw.includes("$schema") && !raw.includes('"type":['), `${t.name} schemas are portable`);
    }
    const scrapeTool = tools.find((t) => t.name === "scrape");
    const valid = validator(scrapeTool);

    const ok = await c.callTool({ name: "scrape", arguments: { url: `${web}/` } });
    assert.equal(ok.isError, undefined, JSON.stringify(ok.content));
    assert.ok(valid(ok.structuredContent), JSON.stringify(valid.errors));
    assert.equal(ok.structuredContent.title, "Node Site");
    assert.match(ok.structuredContent.markdown, /## Details/);

    const bad = await c.callTool({ name: "scrape", arguments: { url: "ftp://example.com/x" } });
    assert.equal(bad.isError, true);
    assert.equal(guidance(bad), "fix_request");
    assert.equal(bad.structuredContent.error.field, "url");
    assert.ok(valid(bad.structuredContent), "error results validate against the output schema too");
  });
}

test("stdio: nothing but JSON-RPC on stdout", async () => {
  const { spawn } = await import("node:child_process");
  const { BIN, cleanEnv } = await import("./lib.mjs");
  const p = spawn(BIN, ["stdio"], { env: cleanEnv(), stdio: ["pipe", "pipe", "ignore"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  const send = (m) => p.stdin.write(JSON.stringify(m) + "\n");
  send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "scrape", arguments: { url: "http://127.0.0.1:1/" } } });
  const deadline = Date.now() + 20000;
  while (!out.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  p.kill();
  const lines = out.split("\n").filter(Boolean);
  assert.ok(lines.length >= 3, out);
  for (const l of lines) {
    const m = JSON.parse(l);
    assert.equal(m.jsonrpc, "2.0", l);
  }
});
