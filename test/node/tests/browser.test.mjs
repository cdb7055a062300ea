// The local backend's headless browser through the TypeScript SDK client:
// a screenshot comes back as MCP image content that the SDK's own result
// schema accepts (callTool validates it), holding a PNG of the size that
// structuredContent states. Under CI=true a missing browser fails the test.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { cleanup, connect, validator } from "./lib.mjs";

after(cleanup);

async function spa() {
  const srv = createServer((req, res) => {
    if (req.url === "/robots.txt") { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>TS SPA</title></head><body style="background:#fff"><div id="root"></div>
<button id="more" onclick="document.getElementById('root').insertAdjacentHTML('beforeend', '<p>Revealed by the click action, in the rendered page.</p>')">More</button>
<script>setTimeout(function () { document.getElementById("root").innerHTML = "<article><h1>Rendered for the TS SDK</h1><p>Text that only a browser sees, long enough to be the page's main content.</p></article>"; }, 100);</script></body></html>`);
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  after(() => new Promise((r) => srv.close(r)));
  return `http://127.0.0.1:${srv.address().port}`;
}

// pngSize reads width and height from a PNG's IHDR chunk.
function pngSize(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(buf.subarray(12, 16).toString("latin1"), "IHDR");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

test("stdio: scrape with actions and a screenshot returns validated image content", async (t) => {
  const web = await spa();
  const c = await connect("stdio", ["--allow-hosts", "127.0.0.1"]);
  const { tools } = await c.listTools();
  const valid = validator(tools.find((x) => x.name === "scrape"));
  const r = await c.callTool({
    name: "scrape",
    arguments: { url: `${web}/`, formats: ["markdown", "screenshot"], actions: [{ type: "click", selector: "#more" }] },
  }, CallToolResultSchema);
  if (r.isError && r.structuredContent?.error?.code === "browser_unavailable") {
    if (process.env.CI === "true") assert.fail(`CI=true and no browser: ${r.content[0].text}`);
    t.skip("no browser on this machine");
    return;
  }
  assert.equal(r.isError, undefined, JSON.stringify(r.content));
  assert.ok(valid(r.structuredContent), JSON.stringify(valid.errors));
  assert.match(r.structuredContent.markdown, /Rendered for the TS SDK/);
  assert.match(r.structuredContent.markdown, /Revealed by the click action/);
  const img = r.content.find((x) => x.type === "image");
  assert.ok(img, "an image content block");
  assert.equal(img.mimeType, "image/png");
  const size = pngSize(Buffer.from(img.data, "base64"));
  assert.deepEqual(size, { width: 1280, height: 800 });
  assert.equal(r.structuredContent.screenshot.width, size.width);
  assert.equal(r.structuredContent.screenshot.height, size.height);
});
