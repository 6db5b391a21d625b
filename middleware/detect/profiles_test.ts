import assert from "node:assert/strict";
import { Hono } from "hono";
import { calibratedScore } from "../../detect/mod.ts";
import { createIdentify } from "./identify.ts";
import { eerThreshold, equalErrorRate } from "./profiles.ts";

const near = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${a} is not ${b}`);

Deno.test("equalErrorRate() of tiny score lists, worked by hand", async (t) => {
  const cases: [string, number[], number[], number, number][] = [
    // t = 0.4: FRR 0, FAR 1/3; t = 0.5: FRR 1/3, FAR 1/3.
    ["one error each side", [0.9, 0.8, 0.4], [0.1, 0.5, 0.3], 1 / 3, 0.5],
    // t = 0.6 rejects no genuine and accepts no impostor.
    ["separated", [0.6, 0.9], [0.1, 0.2], 0, 0.6],
    // Reversed: FRR and FAR meet at 1 (t = 0.6: both genuine rejected, both impostors accepted).
    ["reversed", [0.1, 0.2], [0.6, 0.9], 1, 0.6],
    // The only observed score: everything accepted, FRR 0, FAR 1.
    ["all equal", [0.5, 0.5], [0.5], 0.5, 0.5],
    // t = 0.5 (FRR 1/2, FAR 1) and t = 0.7 (FRR 1/2, FAR 0) tie on |FRR − FAR|: the lower wins.
    ["tie", [0.3, 0.7], [0.5], 0.75, 0.5],
    // NaN scores are no scores.
    ["NaN ignored", [0.6, NaN], [NaN, 0.2], 0, 0.6],
  ];
  for (const [name, g, i, eer, threshold] of cases) {
    await t.step(name, () => {
      const r = equalErrorRate(g, i);
      near(r.eer, eer);
      assert.equal(r.threshold, threshold);
    });
  }
  assert.deepEqual(equalErrorRate([], [0.1]), { eer: NaN, threshold: NaN });
  assert.deepEqual(equalErrorRate([0.1], [NaN]), { eer: NaN, threshold: NaN });
});

Deno.test("eerThreshold() picks the score where false rejects meet false accepts", () => {
  // Owner scores (1 − P(owner)) low, others high, one overlap each way.
  const owner = [0.1, 0.2, 0.3, 0.7];
  const others = [0.25, 0.8, 0.9, 0.95];
  // t = 0.3: FRR = 1/4 (0.7), FAR = 1/4 (0.25): equal.
  assert.equal(eerThreshold(owner, others), 0.3);
  assert.equal(eerThreshold([0.1, NaN], [0.9]), 0.1); // FRR 0, FAR 0
  // t = 0.3 (FRR 1/2, FAR 0) and t = 0.5 (FRR 1/2, FAR 1) tie: the higher, most lenient to the
  // owner (equalErrorRate's lowest threshold on P(owner)).
  assert.equal(eerThreshold([0.3, 0.7], [0.5]), 0.5);
  assert.equal(eerThreshold([], [0.9]), 0.5);
  assert.equal(eerThreshold([0.2], [NaN]), 0.5);
});

Deno.test("calibratedScore() re-centres a score on the calibration", () => {
  assert.equal(calibratedScore(0.8, 0.8), 0.5);
  assert.ok(Math.abs(calibratedScore(0.5, 0.5) - 0.5) < 1e-12);
  // logit(0.9) − logit(0.75) = log(9) − log(3) = log(3) → 0.75.
  assert.ok(Math.abs(calibratedScore(0.9, 0.75) - 0.75) < 1e-12);
  assert.equal(calibratedScore(1, 0.5), 1);
  assert.equal(calibratedScore(0, 0.5), 0);
});

Deno.test("createIdentify() records the upstream's user per session and strips the header", async () => {
  const recorded: [string, string | null][] = [];
  const identify = createIdentify({
    header: "X-Guard-User",
    store: {
      setUserIdentity: (id, who) => {
        recorded.push([id, who]);
        return Promise.resolve();
      },
    },
  });
  const app = new Hono();
  app.use("*", async (c, next) => {
    c.set("guardSessionId", c.req.header("x-sid")!);
    await next();
  });
  app.use("*", identify.middleware);
  // The upstream's response as fetched: its headers are immutable, so the middleware must copy it.
  const upstream = Deno.serve({ port: 0, onListen() {} }, (req) => {
    const user = new URL(req.url).searchParams.get("u");
    return new Response("hi", {
      headers: user === null ? {} : { "x-guard-user": user },
    });
  });
  app.get(
    "*",
    (c) =>
      fetch(
        `http://127.0.0.1:${upstream.addr.port}${new URL(c.req.url).search}`,
      ),
  );
  const get = async (sid: string, u?: string) => {
    const res = await app.request(u === undefined ? "/" : `/?u=${u}`, {
      headers: { "x-sid": sid },
    });
    assert.equal(res.headers.get("x-guard-user"), null);
    assert.equal(await res.text(), "hi");
  };
  await get("s1", "alice");
  await get("s1", "alice"); // unchanged: not written again
  await get("s1"); // no header: nothing learnt
  await get("s2", "%20bob%20");
  await get("s1", ""); // logged out
  await upstream.shutdown();
  assert.deepEqual(recorded, [["s1", "alice"], ["s2", "bob"], ["s1", null]]);
  assert.equal(identify.identityOf("s1"), null);
  assert.equal(identify.identityOf("s2"), "bob");
  assert.equal(identify.identityOf("s3"), undefined);
});
