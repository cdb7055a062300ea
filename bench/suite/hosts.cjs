// Preloaded into mcp-fetch-server (node -r) by bench/suite: the server
// refuses loopback and private addresses by name and by DNS answer, so the
// suite hands it http://bench.test:PORT/… and this maps bench.test to
// 127.0.0.1 at connect time only (dns.lookup, which net.connect uses). Its
// own check (dns.promises.lookup) still sees no address and lets the request
// through; the fetch, Readability and Turndown work is unchanged.
const dns = require("node:dns");
const lookup = dns.lookup;
dns.lookup = function (host, options, cb) {
  if (host === "bench.test") {
    if (typeof options === "function") { cb = options; options = {}; }
    if (options && options.all) return process.nextTick(cb, null, [{ address: "127.0.0.1", family: 4 }]);
    return process.nextTick(cb, null, "127.0.0.1", 4);
  }
  return lookup.apply(this, arguments);
};
