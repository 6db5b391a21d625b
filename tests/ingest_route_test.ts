import assert from "node:assert/strict";
import { createWindowBuffer } from "../db/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import {
  cookieFor,
  PAGE_TOKENS,
  post,
  SECRET,
  startIngest,
  validPost,
} from "./ingest_helpers.ts";

Deno.test("createIngestRoute() rejection paths: exact status and JSON, nothing stored", async (t) => {
  const rig = await startIngest("pglite", { maxBytes: 1024 });
  try {
    const cases: [string, () => ReturnType<typeof post>, number, unknown][] = [
      ["no cookie", () => post(rig.url, null, validPost(1)), 401, {
        error: "unauthorized",
      }],
      [
        "forged cookie",
        async () => {
          const res = await fetch(rig.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              cookie: (await cookieFor("aaaaaaaaaaaaaaaaaaaaaa")).replace(
                /.$/,
                "x",
              ),
            },
            body: JSON.stringify(validPost(1)),
          });
          return {
            status: res.status,
            json: await res.json(),
            headers: res.headers,
          };
        },
        401,
        { error: "unauthorized" },
      ],
      [
        "a form's content type",
        () =>
          post(rig.url, "sess-ct-000000000000", validPost(1), {
            contentType: "application/x-www-form-urlencoded",
          }),
        415,
        { error: "unsupported_media_type" },
      ],
      [
        "Content-Length over the cap",
        () =>
          post(rig.url, "sess-big-00000000000", null, {
            raw: "x".repeat(1025),
          }),
        413,
        { error: "too_large" },
      ],
      [
        "chunked body over the cap",
        () =>
          post(rig.url, "sess-chunk-000000000", null, {
            raw: ReadableStream.from([
              new TextEncoder().encode("{".repeat(600)),
              new TextEncoder().encode(" ".repeat(600)),
            ]),
          }),
        413,
        { error: "too_large" },
      ],
      [
        "not JSON",
        () => post(rig.url, "sess-json-0000000000", null, { raw: "{nope" }),
        400,
        { error: "invalid", field: "body" },
      ],
      [
        "a feature vector instead of events (format v1)",
        () =>
          post(rig.url, "sess-feat-0000000000", {
            v: 1,
            seq: 1,
            t0: 0,
            t1: 4990,
            n: 12,
            features: { speed_mean: 7.5 },
          }),
        400,
        { error: "invalid", field: "v", reason: "Invalid input: expected 2" },
      ],
      [
        "a string among the event codes",
        () => {
          const p = validPost(1);
          p.e[5] = "<script>" as unknown as number;
          return post(rig.url, "sess-code-0000000000", p);
        },
        400,
        {
          error: "invalid",
          field: "e.5",
          reason: "must be an integer within ±1e8",
        },
      ],
      [
        "unknown key",
        () => post(rig.url, "sess-key-00000000000", validPost(1, { evil: 1 })),
        400,
        { error: "invalid", field: "(root)", reason: "unknown key" },
      ],
      [
        "t1 before t0",
        () => post(rig.url, "sess-time-0000000000", validPost(1, { t1: 1 })),
        400,
        { error: "invalid", field: "t1", reason: "must be >= t0" },
      ],
      [
        "no page token",
        () => post(rig.url, "sess-nopage-00000000", validPost(1, { page: "" })),
        400,
        {
          error: "invalid",
          field: "page",
          reason: "Too small: expected string to have >=1 characters",
        },
      ],
    ];
    for (const [name, send, status, body] of cases) {
      await t.step(name, async () => {
        const res = await send();
        assert.equal(res.status, status);
        assert.deepEqual(res.json, body);
      });
    }
    await rig.buffer.flush();
    assert.equal(await rig.count("feature_windows"), 0);
  } finally {
    await rig.close();
  }
});

Deno.test("createIngestRoute() accepts in order (JSON or a text/plain beacon), rejects replays with 409, allows gaps", async () => {
  const rig = await startIngest("pglite");
  try {
    const s = "sess-seq-0000000000000";
    const send = (seq: number) => post(rig.url, s, validPost(seq));
    assert.deepEqual((await send(1)).json, { ok: true, action: "none" });
    assert.deepEqual(await send(1).then((r) => [r.status, r.json]), [409, {
      error: "replay",
      field: "seq",
      next: 2,
    }]);
    assert.equal((await send(0)).status, 409);
    // The collector's pagehide beacon: a string body goes as text/plain.
    const beacon = await post(rig.url, s, validPost(5), {
      contentType: "text/plain;charset=UTF-8",
    });
    assert.deepEqual([beacon.status, beacon.json], [200, {
      ok: true,
      action: "none",
    }]);
    assert.deepEqual((await send(4)).json, {
      error: "replay",
      field: "seq",
      next: 6,
    });
    await rig.buffer.flush();
    const stored = await rig.store.listWindows(s);
    assert.deepEqual(stored.map((w) => [w.seq, w.t0, w.t1, w.nEvents]), [[
      1,
      5000,
      9990,
      12,
    ], [5, 25000, 29990, 12]]);
    // Computed by the server from the events: 10 px per 10 ms, no keys.
    assert.equal(stored[0].features.typing_speed, 0);
    assert.equal(stored[0].features.speed_mean, 1000);
    assert.equal(stored[0].features.speed_std, 0);

    // A restarted instance (empty memory) falls back to the stored max(seq).
    const buffer = createWindowBuffer(rig.store, { max: 100, flushMs: 20 });
    const fresh = createIngestRoute({
      store: rig.store,
      buffer,
      secret: SECRET,
      pageTokens: PAGE_TOKENS,
      windowMs: 5000,
      maxBytes: 16384,
      ratePerMin: 60,
    });
    const page = await PAGE_TOKENS.issue(s, Date.now() - 3_600_000);
    const req = async (seq: number) =>
      (await fresh.request("/ingest", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: await cookieFor(s),
        },
        body: JSON.stringify(validPost(seq, { page })),
      })).status;
    assert.equal(await req(5), 409);
    assert.equal(await req(6), 200);
    await buffer.close();
  } finally {
    await rig.close();
  }
});

Deno.test("createIngestRoute() rate-limits each session with a token bucket", async () => {
  let now = Date.now();
  const rig = await startIngest("pglite", { ratePerMin: 3, now: () => now });
  try {
    const a = "sess-rate-a-0000000000";
    for (const seq of [1, 2, 3]) {
      assert.equal((await post(rig.url, a, validPost(seq))).status, 200);
    }
    const limited = await post(rig.url, a, validPost(4));
    assert.deepEqual([limited.status, limited.json], [429, {
      error: "rate_limited",
    }]);
    assert.equal(limited.headers.get("retry-after"), "20");
    assert.equal(
      (await post(rig.url, "sess-rate-b-0000000000", validPost(1))).status,
      200,
    );
    now += 20_000;
    assert.equal((await post(rig.url, a, validPost(4))).status, 200);
    assert.equal((await post(rig.url, a, validPost(5))).status, 429);
    await rig.buffer.flush();
    assert.deepEqual((await rig.store.listWindows(a)).map((w) => w.seq), [
      1,
      2,
      3,
      4,
    ]);
  } finally {
    await rig.close();
  }
});

Deno.test("createIngestRoute() answers 403 to revoked sessions, known before or after", async () => {
  const rig = await startIngest("pglite");
  try {
    await rig.store.revokeSession("sess-rev-before-000000", "bot", "test");
    const before = await post(rig.url, "sess-rev-before-000000", validPost(1));
    assert.deepEqual([before.status, before.json], [403, { error: "revoked" }]);
    const s = "sess-rev-after-0000000";
    assert.equal((await post(rig.url, s, validPost(1))).status, 200);
    await rig.store.revokeSession(s, "bot", "other-instance");
    let status = 200;
    for (let i = 2; i < 50 && status === 200; i++) {
      status = (await post(rig.url, s, validPost(i))).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 403);
  } finally {
    await rig.close();
  }
});

Deno.test("createIngestRoute() onWindow hook: logout action, then 403; hook failure answers none", async () => {
  const seen: number[] = [];
  const rig = await startIngest("pglite", {
    onWindow: (w) => {
      seen.push(w.seq);
      if (w.seq === 99) return Promise.reject(new Error("model down"));
      return Promise.resolve(
        w.seq >= 2
          ? { action: "logout", redirect: "/login" }
          : { action: "none" },
      );
    },
  });
  try {
    const s = "sess-hook-000000000000";
    assert.deepEqual(
      (await post(rig.url, "sess-hook-fail-0000000", validPost(99))).json,
      { ok: true, action: "none" },
    );
    assert.deepEqual((await post(rig.url, s, validPost(1))).json, {
      ok: true,
      action: "none",
    });
    assert.deepEqual((await post(rig.url, s, validPost(2))).json, {
      ok: true,
      action: "logout",
      redirect: "/login",
    });
    assert.equal((await post(rig.url, s, validPost(3))).status, 403);
    assert.deepEqual(seen, [99, 1, 2]);
  } finally {
    await rig.close();
  }
});

Deno.test("createIngestRoute() with loginUrl tells a revoked session to log out in its 403", async () => {
  const rig = await startIngest("pglite", { loginUrl: "/login" });
  try {
    await rig.store.revokeSession("sess-rev-login-0000000", "bot", "test");
    const res = await post(rig.url, "sess-rev-login-0000000", validPost(1));
    assert.deepEqual([res.status, res.json], [403, {
      error: "revoked",
      action: "logout",
      redirect: "/login",
    }]);
    await rig.buffer.flush();
    assert.equal(await rig.count("feature_windows"), 0);
  } finally {
    await rig.close();
  }
});
