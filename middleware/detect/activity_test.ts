import assert from "node:assert/strict";
import { countsAsActivity } from "./activity.ts";

Deno.test("countsAsActivity() counts navigations and state-changing requests", async (t) => {
  const nav = { "sec-fetch-mode": "navigate" };
  const cors = { "sec-fetch-mode": "cors" };
  const cases: [string, string, Record<string, string>, boolean][] = [
    ["GET /", "/", nav, true],
    ["GET /account", "/account", {}, true],
    ["HEAD /account", "/account", {}, true],
    ["GET /", "/", cors, false],
    ["GET /", "/", { "sec-fetch-mode": "no-cors" }, false],
    ["GET /", "/", { "sec-fetch-mode": "NAVIGATE" }, true],
    ["GET /app.js", "/app.js", {}, false],
    ["GET /static/site.CSS", "/static/site.CSS", {}, false],
    ["GET /logo.png", "/logo.png", {}, false],
    ["GET /font.woff2", "/font.woff2", {}, false],
    ["GET /app.js.map", "/app.js.map", {}, false],
    ["GET /clip.mp4", "/clip.mp4", {}, false],
    ["GET /favicon.ico", "/favicon.ico", {}, false],
    ["GET /logo.png", "/logo.png", nav, true],
    ["GET /api/items.json", "/api/items.json", {}, true],
    ["GET /api/items.json", "/api/items.json", cors, false],
    ["GET /.css", "/.css", {}, true],
    ["GET /v1.2/page", "/v1.2/page", {}, true],
    ["POST /login", "/login", {}, true],
    ["POST /api", "/api", cors, true],
    ["PUT /x", "/x", cors, true],
    ["PATCH /x", "/x", {}, true],
    ["DELETE /x", "/x", {}, true],
    ["OPTIONS /x", "/x", {}, false],
    ["POST /heartbeat", "/heartbeat", {}, false],
    ["POST /heartbeat/ping", "/heartbeat/ping", {}, false],
    ["GET /heartbeat", "/heartbeat", nav, false],
    ["POST /heartbeats", "/heartbeats", {}, true],
    ["GET /health/", "/health/", {}, false],
  ];
  for (const [name, path, headers, expected] of cases) {
    await t.step(`${name} ${JSON.stringify(headers)}`, () => {
      const request = new Request(`http://guard.test${path}`, {
        method: name.split(" ")[0],
        headers,
      });
      const options = { excludePaths: ["/heartbeat/", "/health"] };
      assert.equal(countsAsActivity(request, options), expected);
    });
  }
  await t.step("an excluded root excludes everything", () => {
    const request = new Request("http://guard.test/x", { method: "POST" });
    assert.equal(countsAsActivity(request, { excludePaths: ["/"] }), false);
  });
});
