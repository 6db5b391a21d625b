/**
 * The real bundle in real Chromium (puppeteer-core): posts validate and decode (format v2: raw
 * events, compact encoding, page token and viewport), seq continues across a navigation, key
 * values never leave the page, retries follow a 503, and a logout action navigates. Skips visibly
 * without Chromium, except under CI=true.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { skipWithoutChromium } from "../sim/browsers/chromium.ts";
import { buildCollectorBundle } from "./build.ts";
import type { WindowEvent } from "./features.ts";
import {
  interact,
  launch,
  lostWindows,
  openPage,
  parse,
  posts,
  SECRET,
  serveSite,
  sleep,
  waitFor,
} from "./_browser_testing.ts";

const SKIP = skipWithoutChromium("collector/browser_test.ts");

Deno.test({
  name:
    "browser collector posts valid windows without key values, continuing seq across pages",
  ignore: SKIP,
  async fn() {
    const site = serveSite((await buildCollectorBundle()).code);
    // The guard's seq rule: a navigation within the same clock second may collide (409 and a
    // resend under the next seq); what counts is that every window is accepted once, in order.
    const rule = { last: -1, accepted: [] as string[] };
    site.enforceSeq = rule;
    const browser = await launch();
    try {
      const tab = await openPage(browser, `${site.base}/`);
      await interact(tab);
      await waitFor(() => site.bodies.length >= 1, "the first window");
      await tab.mouse.move(10, 10, { steps: 10 });
      await Promise.all([tab.waitForNavigation(), tab.click("#next")]); // pagehide → beacon
      await tab.waitForFunction(() => "__guardCollector" in globalThis);
      const before = site.bodies.length;
      await tab.mouse.move(200, 200, { steps: 12 });
      await waitFor(
        () => site.bodies.length > before,
        "a window from the second page",
      );
    } finally {
      await browser.close();
      await site.server.shutdown();
    }
    for (const body of site.bodies) {
      assert.equal(body.includes("hunter"), false);
      assert.equal(body.includes("Zebra"), false);
      assert.equal(/"(code|value|which|keyCode)"/.test(body), false);
    }
    assert.deepEqual(lostWindows(site, rule), []);
    // The pagehide window went by beacon, as a string (no Blob: see flush()).
    assert.ok(site.types.includes("text/plain;charset=UTF-8"), `${site.types}`);
    assert.deepEqual(
      site.types.filter((t) =>
        t !== "text/plain;charset=UTF-8" && t !== "application/json"
      ),
      [],
    );
    const all = posts({ ...site, bodies: rule.accepted });
    const raw = all.flatMap((p) => p.events);
    const downs = raw.filter((e) => e.kind === "keydown");
    assert.equal(downs.filter((e) => e.key === "char").length, SECRET.length);
    assert.equal(downs.filter((e) => e.key === "backspace").length, 1);
    for (const e of raw.filter((e) => e.kind === "keyup")) {
      assert.ok(
        downs.some((d) => d.id === e.id),
        `keyup ${e.id} has no keydown`,
      );
    }
    assert.equal(raw.filter((e) => e.trusted === false).length, 1);
    // Focus moved twice: to the input clicked, then to the link clicked to navigate.
    assert.equal(raw.filter((e) => e.kind === "focus").length, 2);
    for (const post of all) {
      assert.deepEqual(post.events[0], {
        t: post.value.t0,
        kind: "meta",
        webdriver: true,
      });
      assert.equal(post.features.webdriver, 1);
      assert.equal(post.value.page, "test-page");
      assert.deepEqual([post.value.vw, post.value.vh], [800, 600]);
    }
    assert.ok(all.some((p) => p.features.click_count >= 1));
    assert.ok(all.some((p) => p.features.scroll_speed > 0));
    // The puppeteer moves end at the positions given, whole CSS pixels.
    assert.ok(raw.some((e) => e.kind === "move" && e.x === 400 && e.y === 260));
  },
});

Deno.test({
  name:
    "browser collector retries a 503 with the same seq, then follows a logout action",
  ignore: SKIP,
  async fn() {
    const site = serveSite((await buildCollectorBundle()).code);
    site.replies.push({ status: 503, json: {} });
    site.replies.push({
      status: 200,
      json: { action: "logout", redirect: "/login" },
    });
    const browser = await launch();
    try {
      const tab = await openPage(browser, `${site.base}/`);
      await tab.mouse.move(300, 300, { steps: 20 });
      await waitFor(() => tab.url().endsWith("/login"), "the logout redirect");
    } finally {
      await browser.close();
      await site.server.shutdown();
    }
    const seqs = site.bodies.map((b) => JSON.parse(b).seq);
    assert.ok(seqs.length >= 2, `posts: ${seqs}`);
    assert.equal(seqs[1], seqs[0], "the retry repeats the same window");
  },
});

Deno.test({
  name:
    "browser collector resyncs its seq after a 409 replay and sends the refused window again",
  ignore: SKIP,
  async fn() {
    const site = serveSite((await buildCollectorBundle()).code);
    // As when another tab's later post arrived first: the server is an hour of seqs ahead of this
    // page's clock-based seq (seconds since 2024-01-01).
    const next = Math.floor(Date.now() / 1000) - 1_704_067_200 + 3600;
    site.replies.push({
      status: 409,
      json: { error: "replay", field: "seq", next },
    });
    const browser = await launch();
    try {
      const tab = await openPage(browser, `${site.base}/`);
      await tab.mouse.move(300, 300, { steps: 20 });
      await waitFor(() => site.bodies.length >= 1, "the first post");
      await tab.mouse.move(100, 100, { steps: 20 });
      await waitFor(() => site.bodies.length >= 2, "a post after the 409");
    } finally {
      await browser.close();
      await site.server.shutdown();
    }
    const seqs = site.bodies.map((b) => JSON.parse(b).seq as number);
    assert.ok(seqs[0] < next, `seqs: ${seqs}`);
    assert.equal(seqs[1], next, `seqs: ${seqs}`);
    // The refused window itself is sent again under the new seq, not dropped.
    const [first, again] = site.bodies.map((b) => ({
      ...JSON.parse(b),
      seq: 0,
    }));
    assert.deepEqual(again, first);
  },
});

Deno.test({
  name:
    "browser collector loses no window of two tabs of one origin under the guard's seq rule",
  ignore: SKIP,
  async fn() {
    const site = serveSite((await buildCollectorBundle()).code);
    const rule = { last: -1, accepted: [] as string[] };
    site.enforceSeq = rule;
    const browser = await launch();
    /** Seqs of the posts carrying a move at x (each tab moves at its own x). */
    const seqsAt = (x: number) =>
      rule.accepted.map(parse)
        .filter((p) =>
          p.events.some((e: WindowEvent) => e.kind === "move" && e.x === x)
        )
        .map((p) => p.value.seq);
    const moveAndWait = async (tab: Page, x: number) => {
      await tab.bringToFront();
      await tab.mouse.move(x, 100, { steps: 3 });
      await waitFor(() => seqsAt(x).length >= 1, `a window with x=${x}`);
    };
    try {
      const a = await openPage(browser, `${site.base}/`);
      await moveAndWait(a, 11);
      const b = await openPage(browser, `${site.base}/other`);
      await moveAndWait(b, 22);
      await moveAndWait(a, 33); // tab a again, after tab b took seqs
    } finally {
      await browser.close();
      await site.server.shutdown();
    }
    // Tabs may collide on a seq (two windows in the same clock second); a refused
    // window is sent again under a fresh seq.
    assert.deepEqual(lostWindows(site, rule), []);
    assert.ok(
      Math.min(...seqsAt(22)) > Math.max(...seqsAt(11)),
      `a ${seqsAt(11)}, b ${seqsAt(22)}`,
    );
    assert.ok(
      Math.min(...seqsAt(33)) > Math.max(...seqsAt(22)),
      `b ${seqsAt(22)}, a ${seqsAt(33)}`,
    );
  },
});

Deno.test({
  name:
    "browser collector does not beacon a keepalive post still in flight at pagehide (regression: seq repeated 4,4)",
  ignore: SKIP,
  async fn() {
    const site = serveSite((await buildCollectorBundle()).code);
    site.delayMs = 1500;
    const browser = await launch();
    try {
      const tab = await openPage(browser, `${site.base}/`);
      await interact(tab);
      await waitFor(() => site.bodies.length >= 1, "the first window");
      await tab.mouse.move(500, 300, { steps: 10 }); // the pagehide window has events
      await Promise.all([tab.waitForNavigation(), tab.click("#next")]);
      await waitFor(() => site.bodies.length >= 2, "the pagehide window");
      await sleep(2000); // time for a repeated beacon of the in-flight post to arrive
    } finally {
      await browser.close();
      await site.server.shutdown();
    }
    const seqs = posts(site).map((p) => p.value.seq);
    assert.equal(new Set(seqs).size, seqs.length, `seq repeated: ${seqs}`);
    assert.ok(seqs.length >= 2 && seqs[1] > seqs[0], `seqs: ${seqs}`);
  },
});
