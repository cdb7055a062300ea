// Every tool through the TypeScript SDK against the fake provider APIs run
// as processes: successes validate against their output schemas, failures
// carry the right guidance, progress arrives, and aborting a crawl reaches
// the provider where it can cancel.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cleanup, connect, fakeAPI, guidance, validator } from "./lib.mjs";

after(cleanup);

const PROVIDERS = (process.env.FAKE_PROVIDERS || "anakin").split(",");
const envFor = (p, url) => (p === "anakin"
  ? { ANAKIN_API_URL: url, ANAKIN_API_KEY: "test-key" }
  : { ALTERLAB_API_URL: url, ALTERLAB_API_KEY: "test-key" });

for (const provider of PROVIDERS) {
  test(`${provider}: every tool, success and failure`, async () => {
    const fake = await fakeAPI(provider);
    const c = await connect("http", [], envFor(provider, fake.url));
    const { tools } = await c.listTools();
    const schemas = Object.fromEntries(tools.map((t) => [t.name, validator(t)]));
    const calls = [
      ["scrape", { url: "https://example.com/page" }],
      ["batch_scrape", { urls: ["https://example.com/1", "https://example.com/2"] }],
      ["crawl", { url: "https://example.com/", max_pages: 5, wait_s: 20 }],
      ["map", { url: "https://example.com/", limit: 20 }],
      ["search", { query: "model context protocol", limit: 3 }],
      ["extract", { urls: ["https://example.com/p"], prompt: "the page title" }],
    ];
    for (const [name, args] of calls) {
      const r = await c.callTool({ name, arguments: args });
      assert.ok(!r.isError, `${name}: ${JSON.stringify(r.content)}`);
      assert.ok(schemas[name](r.structuredContent), `${name}: ${JSON.stringify(schemas[name].errors)}`);
    }
    const poor = await c.callTool({ name: "scrape", arguments: { url: "https://example.com/?fake=insufficient_credits" } });
    assert.equal(poor.isError, true);
    assert.equal(guidance(poor), "top_up_credits");
    assert.ok(schemas.scrape(poor.structuredContent), "error result validates");
    const blocked = await c.callTool({ name: "scrape", arguments: { url: "https://example.com/?fake=blocked" } });
    assert.equal(guidance(blocked), "change_strategy");
    assert.equal(blocked.structuredContent.guidance.suggested_arguments.use_browser, true);
  });

  test(`${provider}: crawl progress increases, abort stops it`, async () => {
    const fake = await fakeAPI(provider);
    const c = await connect("http", [], envFor(provider, fake.url));
    const seen = [];
    const r = await c.callTool({ name: "crawl", arguments: { url: "https://docs.example/?fake=polls:4", max_pages: 20, wait_s: 30 } },
      undefined, { onprogress: (p) => seen.push(p.progress), timeout: 60000 });
    assert.ok(!r.isError, JSON.stringify(r.content));
    assert.ok(seen.length >= 1, "progress notifications arrived");
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress increases: ${seen}`);

    const ac = new AbortController();
    const pending = c.callTool({ name: "crawl", arguments: { url: "https://docs.example/?fake=pending", max_pages: 20, wait_s: 60 } },
      undefined, { signal: ac.signal, onprogress: () => ac.abort() });
    await assert.rejects(pending);
    // The server cancels upstream after the abort; give it a moment to arrive.
    const deadline = Date.now() + 10000;
    let stats = await fake.stats();
    while (provider !== "anakin" && stats.cancels < 1 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      stats = await fake.stats();
    }
    if (provider === "anakin") {
      assert.equal(stats.cancels, 0, "Anakin has no cancel endpoint; nothing is sent");
    } else {
      assert.equal(stats.cancels, 1, "the upstream crawl was cancelled");
    }
    const after = await c.callTool({ name: "map", arguments: { url: "https://example.com/", limit: 5 } });
    assert.ok(!after.isError, "the server keeps serving after an abort");
  });
}
