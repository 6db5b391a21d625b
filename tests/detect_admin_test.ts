import assert from "node:assert/strict";
import { openTestStore } from "./detect_harness.ts";
import { createAdminRoutes } from "../middleware/admin/mod.ts";

const TOKEN = "t0ken-t0ken-t0ken-1";

Deno.test("createAdminRoutes() serves sessions to the token holder only", async (t) => {
  const { store, close } = await openTestStore();
  try {
    await store.touchSession("sess_0001");
    await store.recordScore({
      session: "sess_0001",
      seq: 1,
      score: 0.75,
      verdict: "pending",
      modelVersion: "m1",
    });
    await store.recordDetection({
      session: "sess_0001",
      verdict: "bot",
      explanation: { topFeatures: [{ feature: "<script>", importance: 1 }] },
    });
    await store.revokeSession("sess_0001", "bot detected", "test");
    const app = createAdminRoutes({ store, token: TOKEN });

    await t.step("no token configured: 404", async () => {
      const off = createAdminRoutes({ store });
      const res = await off.request("/sessions/sess_0001", {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: "not found" });
    });
    await t.step("wrong or missing token: 401", async () => {
      for (const init of [{}, { headers: { authorization: "Bearer nope" } }]) {
        const res = await app.request("/sessions/sess_0001", init);
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { error: "unauthorized" });
      }
    });
    await t.step("bearer token: JSON detail", async () => {
      const res = await app.request("/sessions/sess_0001", {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const { session } = await res.json();
      assert.equal(session.id, "sess_0001");
      assert.equal(session.state, "revoked");
      assert.equal(session.revokedReason, "bot detected");
      assert.equal(session.scores.length, 1);
      assert.equal(session.scores[0].score, 0.75);
      assert.deepEqual(session.detections[0].explanation, {
        topFeatures: [{ feature: "<script>", importance: 1 }],
      });
    });
    const auth = { authorization: `Bearer ${TOKEN}` };
    await t.step("a browser: escaped HTML", async () => {
      const res = await app.request("/sessions/sess_0001", {
        headers: { accept: "text/html", ...auth },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const html = await res.text();
      assert.match(html, /<h1>Session sess_0001<\/h1>/);
      assert.match(html, /State revoked \(bot detected\)\./);
      assert.ok(html.includes("&quot;&lt;script&gt;&quot;"));
      assert.ok(!html.includes('"<script>"'));
    });
    await t.step("unknown and malformed ids", async () => {
      const init = { headers: auth };
      assert.equal((await app.request("/sessions/nobody", init)).status, 404);
      const bad = await app.request("/sessions/a.b", init);
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), { error: "invalid", field: "id" });
    });
    await t.step("list and label", async () => {
      const headers = { "content-type": "application/json", ...auth };
      const label = await app.request("/sessions/sess_0001/label", {
        method: "POST",
        headers,
        body: JSON.stringify({ label: "bot" }),
      });
      assert.equal(label.status, 200);
      const badLabel = await app.request("/sessions/sess_0001/label", {
        method: "POST",
        headers,
        body: JSON.stringify({ label: "robot" }),
      });
      assert.equal(badLabel.status, 400);
      assert.deepEqual(await badLabel.json(), {
        error: "invalid",
        field: "label",
      });
      const list = await app.request("/sessions?state=revoked", {
        headers: auth,
      });
      const { sessions } = await list.json();
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0].label, "bot");
      const badList = await app.request("/sessions?limit=0", {
        headers: auth,
      });
      assert.equal(badList.status, 400);
      assert.deepEqual(await badList.json(), {
        error: "invalid",
        field: "limit",
      });
    });
  } finally {
    await close();
  }
});
