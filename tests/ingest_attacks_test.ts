/**
 * Attacks on the ingest route, each run over real HTTP against the real route and store: posts a
 * client could forge without really running a page served through the guard.
 */
import assert from "node:assert/strict";
import { encodeEvents, type WindowEvent } from "../collector/mod.ts";
import {
  PAGE_TOKENS,
  post,
  startIngest,
  validEvents,
  validPost,
} from "./ingest_helpers.ts";

const HOUR = 3_600_000;

Deno.test("ingest refuses posts without a page served to this session: forged, lifted, expired tokens", async (t) => {
  const rig = await startIngest("pglite");
  try {
    const s = "sess-page-attack-00000";
    const cases: [string, () => Promise<string>, unknown][] = [
      ["a made-up token", () => Promise.resolve("abc.def.ghi"), {
        error: "page_token",
      }],
      [
        "a token with its MAC altered",
        async () => {
          const token = await PAGE_TOKENS.issue(s);
          const i = token.length - 5;
          const flipped = token[i] === "A" ? "B" : "A";
          return token.slice(0, i) + flipped + token.slice(i + 1);
        },
        { error: "page_token" },
      ],
      [
        "a token lifted from another session's page",
        () => PAGE_TOKENS.issue("sess-someone-else-0000"),
        { error: "page_token" },
      ],
      [
        "a token older than PAGE_TOKEN_TTL_MS",
        () => PAGE_TOKENS.issue(s, Date.now() - 13 * HOUR),
        { error: "page_expired" },
      ],
      [
        "a token issued in the future",
        () => PAGE_TOKENS.issue(s, Date.now() + 10 * 60_000),
        { error: "page_token" },
      ],
    ];
    for (const [name, token, body] of cases) {
      await t.step(name, async () => {
        const res = await post(
          rig.url,
          s,
          validPost(1, { page: await token() }),
        );
        assert.deepEqual([res.status, res.json], [403, body]);
      });
    }
    await rig.buffer.flush();
    assert.equal(await rig.count("feature_windows"), 0);
  } finally {
    await rig.close();
  }
});

Deno.test("ingest refuses a window whose events outrun the page's age", async () => {
  const rig = await startIngest("pglite");
  try {
    const s = "sess-outrun-0000000000";
    // Served 3 s ago: one window spanning 4.99 s of the client's clock is possible (2 s slack),
    // a second one 5 s later is not.
    const page = await PAGE_TOKENS.issue(s, Date.now() - 3000);
    const first = await post(rig.url, s, validPost(1, { page }));
    assert.equal(first.status, 200);
    const second = await post(rig.url, s, validPost(2, { page }));
    assert.deepEqual([second.status, second.json], [400, {
      error: "implausible",
      field: "t1",
      reason: "window outruns the page's age",
    }]);
    // A replayed recording posted as fast as it can be: 30 windows of 5 s within one second.
    const fresh = await PAGE_TOKENS.issue(s, Date.now() - 1000);
    const statuses = [];
    for (let seq = 10; seq < 13; seq++) {
      statuses.push(
        (await post(rig.url, s, validPost(seq, { page: fresh }))).status,
      );
    }
    assert.deepEqual(statuses, [400, 400, 400]);
    await rig.buffer.flush();
    assert.deepEqual((await rig.store.listWindows(s)).map((w) => w.seq), [1]);
  } finally {
    await rig.close();
  }
});

Deno.test("ingest refuses windows that overlap or are structurally impossible", async (t) => {
  const rig = await startIngest("pglite");
  try {
    const s = "sess-impossible-000000";
    assert.deepEqual((await post(rig.url, s, validPost(1))).json, {
      ok: true,
      action: "none",
    });
    const t0 = 10_000;
    const withEvents = (events: WindowEvent[], extra = {}) =>
      validPost(2, {
        t0,
        t1: t0 + 4990,
        e: encodeEvents(events, t0),
        ...extra,
      });
    const cases: [string, Record<string, unknown>, unknown][] = [
      [
        "a window overlapping the accepted one",
        validPost(2, {
          t0: 9000,
          t1: 13990,
          e: encodeEvents(validEvents(9000), 9000),
        }),
        {
          error: "implausible",
          field: "t0",
          reason: "window overlaps an earlier one",
        },
      ],
      [
        "time going backwards",
        validPost(2, { e: [0, 10, 1, 1, 0, -5, 1, 1] }),
        {
          error: "invalid",
          field: "e.5",
          reason: "time goes backwards",
        },
      ],
      [
        "events after the window's end",
        withEvents(validEvents(t0), { t1: t0 + 50 }),
        {
          error: "invalid",
          field: "t1",
          reason: "events after the window's end",
        },
      ],
      [
        "a free pointer outside the reported viewport",
        withEvents(validEvents(t0), { vw: 60 }),
        {
          error: "invalid",
          field: "e",
          reason: "pointer outside the viewport",
        },
      ],
      [
        "a click outside the viewport",
        withEvents([
          { t: t0, kind: "meta", webdriver: false },
          { t: t0 + 5, kind: "down", x: 2000, y: 10, button: 0 },
        ]),
        {
          error: "invalid",
          field: "e",
          reason: "pointer outside the viewport",
        },
      ],
      ["an unknown event code", validPost(2, { e: [15, 0] }), {
        error: "invalid",
        field: "e.0",
        reason: "unknown event code",
      }],
      ["a truncated event", validPost(2, { e: [0, 10, 1] }), {
        error: "invalid",
        field: "e.0",
        reason: "truncated event",
      }],
    ];
    for (const [name, body, expected] of cases) {
      await t.step(name, async () => {
        const res = await post(rig.url, s, body);
        assert.deepEqual([res.status, res.json], [400, expected]);
      });
    }
    // A drag that leaves the page is real: moves outside while the button is held are accepted.
    const drag = withEvents([
      { t: t0, kind: "meta", webdriver: false },
      { t: t0 + 5, kind: "down", x: 10, y: 10, button: 0 },
      { t: t0 + 20, kind: "move", x: 1500, y: 10 },
      { t: t0 + 40, kind: "up", x: 1500, y: 10, button: 0 },
    ]);
    assert.equal((await post(rig.url, s, drag)).status, 200);
    await rig.buffer.flush();
    assert.deepEqual((await rig.store.listWindows(s)).map((w) => w.seq), [
      1,
      2,
    ]);
  } finally {
    await rig.close();
  }
});

Deno.test("ingest computes counts and modalities itself: a client cannot claim events it did not send", async () => {
  const rig = await startIngest("pglite");
  try {
    const s = "sess-claims-0000000000";
    // Format v1 let a client say n: 143 with pointer features; v2 has no field to claim them.
    const empty = await post(rig.url, s, validPost(1, { e: [8, 0, 0] }));
    assert.equal(empty.status, 200);
    await rig.buffer.flush();
    const [row] = await rig.store.listWindows(s);
    assert.equal(row.nEvents, 1);
    assert.ok(Number.isNaN(row.features.speed_mean));
    assert.equal(row.features.click_count, 0);
  } finally {
    await rig.close();
  }
});
