// Baseline for bench/server.sh: a minimal Node.js receiver that does what
// the Probot reference does (verify the signature, parse, keep the
// delivery in memory, answer 202), with no durability. Run in the same
// session as `reviewer serve` so the ratio is measured under the same load.
// Usage: node bench/server_baseline.js PORT SECRET
const http = require("http");
const crypto = require("crypto");
const [port, secret] = process.argv.slice(2);
const seen = new Map();
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const want = "sha256=" + crypto.createHmac("sha256", secret).update(body).digest("hex");
    const got = req.headers["x-hub-signature-256"] || "";
    if (got.length !== want.length || !crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
      res.writeHead(401).end();
      return;
    }
    const id = req.headers["x-github-delivery"];
    const dup = seen.has(id);
    const payload = JSON.parse(body.toString("utf8"));
    if (!dup) seen.set(id, payload.action);  // keep the id, not 24 KB per delivery
    res.writeHead(dup ? 200 : 202, { "content-type": "application/json" }).end('{"ok":true}');
  });
}).listen(Number(port), "127.0.0.1");
