/**
 * End to end in real Chromium: a scripted bot logs in through the guard and is logged out; a human
 * recording replayed with real mouse events stays logged in. Measures time to detection and the
 * human session's window false-positive rate.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import {
  launchChromium,
  skipWithoutChromium,
} from "../sim/browsers/chromium.ts";
import { until } from "./_wait.ts";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { buildCollectorBundle, type RawEvent } from "../collector/mod.ts";
import {
  parseModel,
  readCsvDataset,
  serializeModel,
  trainTree,
} from "../tree/mod.ts";
import { startDemo } from "../demo/mod.ts";
import { startTestGuard, type TestGuard } from "./detect_harness.ts";

const SKIP = skipWithoutChromium("tests/e2e_detect_test.ts");
const ROOT = new URL("../", import.meta.url).pathname;
const WINDOW_MS = Number(Deno.env.get("E2E_WINDOW_MS") ?? 2000);
const HUMAN_REPLAY_MS = 25_000;
// The shipped forest averages 30 trees: this scripted bot scores ~0.7-0.98 per window, the
// replayed human ~0.0-0.4 (window threshold 0.625). The test runs the shipped rule (config.ts defaults:
// VERDICT_THRESHOLD 2, decay 0.8, min 3 windows) unless E2E_VERDICT_THRESHOLD overrides it.
const VERDICT_ENV: Record<string, string> = Deno.env.get(
    "E2E_VERDICT_THRESHOLD",
  ) === undefined
  ? {}
  : { VERDICT_THRESHOLD: Deno.env.get("E2E_VERDICT_THRESHOLD")! };
const BOT_BUDGET_MS = 45_000;

/** The shipped model if it exists, else one trained here on the committed dataset. */
async function modelPath(dir: string): Promise<string> {
  const shipped = `${ROOT}data/model.json`;
  try {
    parseModel(await Deno.readTextFile(shipped), shipped);
    return shipped;
  } catch (error) {
    console.log(`not using the shipped model: ${(error as Error).message}`);
    const { dataset } = await readCsvDataset(`${ROOT}data/sessions.csv`);
    const path = `${dir}/model.json`;
    await Deno.writeTextFile(
      path,
      serializeModel(trainTree(dataset, { maxDepth: 8, minSamplesLeaf: 5 })),
    );
    return path;
  }
}

async function startSmtp(inbox: string[]) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      let text = "";
      stream.on("data", (c: Uint8Array) => text += new TextDecoder().decode(c));
      stream.on("end", () => {
        inbox.push(text);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sessionIdOf(cookies: { name: string; value: string }[]): string {
  const sid = cookies.find((c) => c.name === "__guard_sid");
  assert.ok(sid, "the browser holds a guard session cookie");
  return sid.value.split(".")[0];
}

/** The bot: straight-line moves, instant clicks, constant-delay typing. */
async function botLogin(page: Page, base: string) {
  await page.goto(`${base}/login`);
  for (
    const [selector, text] of [
      ["input[name=username]", "robot"],
      ["input[name=password]", "demo"],
    ]
  ) {
    const box = (await (await page.$(selector))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, {
      steps: 10,
    });
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.type(text, { delay: 40 });
  }
  const submit = (await (await page.$("button[type=submit]"))!.boundingBox())!;
  await page.mouse.move(submit.x + 5, submit.y + 5, { steps: 10 });
  await Promise.all([
    page.waitForNavigation(),
    page.mouse.click(submit.x + 5, submit.y + 5),
  ]);
}

/** A straight line at constant speed: equal steps at a constant 16 ms interval. */
async function line(page: Page, from: [number, number], to: [number, number]) {
  const n = 30;
  for (let k = 1; k <= n; k++) {
    await page.mouse.move(
      from[0] + (to[0] - from[0]) * k / n,
      from[1] + (to[1] - from[1]) * k / n,
    );
    await sleep(16);
  }
}

async function botBrowse(page: Page, started: number) {
  let i = 0;
  let at: [number, number] = [640, 400];
  await page.$eval("textarea", (t) => t.scrollIntoView({ block: "center" }));
  while (!new URL(page.url()).pathname.startsWith("/login")) {
    if (performance.now() - started > BOT_BUDGET_MS) break;
    try {
      // Straight to the comment box, an instant click, constant-delay typing, then a straight
      // sweep elsewhere (no clicks outside the box: the page has links and a submit button).
      const box = await (await page.$("textarea"))?.boundingBox();
      if (!box) break;
      const centre: [number, number] = [
        box.x + box.width / 2,
        box.y + box.height / 2,
      ];
      await line(page, at, centre);
      await page.mouse.click(...centre);
      await page.keyboard.type("hello ", { delay: 40 });
      at = [100 + (i * 137) % 800, 100 + (i * 89) % 500];
      await line(page, centre, at);
      i++;
    } catch {
      // the collector navigated away mid-action
    }
  }
}

/** The human: a real SapiMouse recording replayed at its recorded times. */
async function replayHuman(page: Page) {
  const text = await Deno.readTextFile(
    `${ROOT}tests/fixtures/human_sapimouse_user100.jsonl`,
  );
  const events = text.trim().split("\n").map((l) => JSON.parse(l) as RawEvent)
    .filter((e) => e.t <= HUMAN_REPLAY_MS);
  // A transparent layer takes the clicks, so replayed clicks do not follow links; the collector
  // listens on the document and sees every event.
  await page.evaluate(`(() => {
    const layer = document.createElement("div");
    layer.style.cssText = "position:fixed;inset:0;z-index:2147483647";
    document.body.append(layer);
  })()`);
  // Moves carry their recorded time (CDP's `timestamp`, which becomes the event's timeStamp): a
  // person's device quantises event timing (interval_mode_share), the CDP round trip does not.
  const cdp = await page.createCDPSession();
  const start = performance.now(), epoch = Date.now();
  for (const e of events) {
    const wait = start + e.t - performance.now();
    if (wait > 1) await sleep(wait);
    const button = e.button === 2 ? "right" : "left";
    if (e.kind === "move") {
      await cdp.send("Input.dispatchMouseEvent", {
        type: "mouseMoved",
        x: e.x!,
        y: e.y!,
        timestamp: (epoch + e.t) / 1000,
      });
    } else if (e.kind === "down") await page.mouse.down({ button });
    else if (e.kind === "up") await page.mouse.up({ button });
  }
}

Deno.test({
  name:
    "e2e: a scripted bot is logged out and alerted once; a replayed human stays logged in",
  ignore: SKIP,
  sanitizeResources: false, // puppeteer's websocket closes after the test's last tick
  async fn() {
    const tmp = await Deno.makeTempDir();
    const inbox: string[] = [];
    const smtp = await startSmtp(inbox);
    const site = startDemo();
    let guard: TestGuard | undefined;
    let browser: Browser | undefined;
    try {
      guard = await startTestGuard({
        upstream: site.url,
        collector: await buildCollectorBundle(),
        env: {
          MODEL_PATH: await modelPath(tmp),
          MODE: "enforce",
          WINDOW_MS: String(WINDOW_MS),
          ...VERDICT_ENV,
          SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          ALERT_TO: "admin@example.com",
        },
      });
      browser = await launchChromium();
      const base = guard.url;

      // The bot.
      const botCtx = await browser.createBrowserContext();
      const bot = await botCtx.newPage();
      await bot.setViewport({ width: 1280, height: 800 });
      const statuses: Record<string, number> = {};
      bot.on("response", async (r) => {
        if (r.url().includes("/ingest")) {
          const k = `${r.status()} ${
            r.status() === 400 ? await r.text().catch(() => "?") : ""
          }`;
          statuses[k] = (statuses[k] ?? 0) + 1;
        }
      });
      await botLogin(bot, base);
      assert.equal(new URL(bot.url()).pathname, "/article");
      const cookiesIn = await botCtx.cookies();
      const oldCookie = cookiesIn.map((c) => `${c.name}=${c.value}`).join("; ");
      assert.ok(cookiesIn.some((c) => c.name === "session"));
      const botId = sessionIdOf(cookiesIn);
      const started = performance.now();
      await botBrowse(bot, started);
      const detectedMs = performance.now() - started;
      console.log("ingest statuses", JSON.stringify(statuses));
      const botDetail = await guard.store.getSession(botId);
      console.log(
        `bot: sent to ${new URL(bot.url()).pathname} after ${
          detectedMs.toFixed(0)
        } ms, ` +
          `${botDetail?.scores.length} windows scored: ${
            botDetail?.scores.map((s) => s.score.toFixed(2)).join(" ")
          }`,
      );
      assert.equal(
        new URL(bot.url()).pathname,
        "/login",
        "the bot was logged out",
      );
      assert.equal(botDetail?.state, "revoked");
      assert.equal(botDetail?.detections.length, 1);
      assert.ok(botDetail!.scores.length <= 20, "detected within 20 windows");
      const cookiesOut = await botCtx.cookies();
      assert.ok(
        !cookiesOut.some((c) => c.name === "session"),
        "auth cookie gone",
      );
      // Replaying the old cookies is refused at the guard.
      const replay = await fetch(`${base}/article`, {
        headers: {
          cookie: oldCookie,
          accept: "text/html",
          "sec-fetch-mode": "navigate",
        },
        redirect: "manual",
      });
      await replay.body?.cancel();
      assert.equal(replay.status, 303);
      assert.equal(replay.headers.get("location"), "/login");
      // Exactly one alert reaches the admin.
      assert.ok(
        await until(() => inbox.length >= 1, 5000),
        "an alert was sent",
      );
      await sleep(500);
      assert.equal(inbox.length, 1);
      assert.match(inbox[0], new RegExp(`Bot detected: session ${botId}`));

      // The human: logs in without synthetic typing (a same-origin form post), then moves.
      const humanCtx = await browser.createBrowserContext();
      const human = await humanCtx.newPage();
      await human.setViewport({ width: 1440, height: 800 });
      // A person's browser is not automated: navigator.webdriver is false there.
      await human.evaluateOnNewDocument(
        `Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false })`,
      );
      await human.goto(`${base}/login`);
      await human.evaluate(() =>
        fetch("/login", {
          method: "POST",
          body: new URLSearchParams({
            next: "/article",
            username: "ada",
            password: "demo",
          }),
        })
      );
      await human.goto(`${base}/article`);
      assert.equal(new URL(human.url()).pathname, "/article");
      const humanId = sessionIdOf(await humanCtx.cookies());
      await replayHuman(human);
      await sleep(WINDOW_MS * 1.5);
      const humanDetail = await guard.store.getSession(humanId);
      const scores = humanDetail?.scores ?? [];
      const model = guard.detection.models.current().model;
      const flagged = scores.filter((s) => s.score > model.threshold).length;
      console.log(
        `human: ${scores.length} windows, ${flagged} above the model threshold ` +
          `${model.threshold.toFixed(3)} (window FPR ${
            (flagged / scores.length).toFixed(3)
          }); ` +
          `scores ${scores.map((s) => s.score.toFixed(2)).join(" ")}`,
      );
      if (humanDetail?.detections.length) {
        console.log(JSON.stringify(humanDetail.detections[0].explanation));
        for (const w of await guard.store.listWindows(humanId)) {
          console.log(w.seq, w.nEvents, JSON.stringify(w.features));
        }
      }
      assert.equal(
        new URL(human.url()).pathname,
        "/article",
        "the human stayed",
      );
      assert.ok((await humanCtx.cookies()).some((c) => c.name === "session"));
      assert.equal(humanDetail?.state, "active");
      assert.equal(humanDetail?.detections.length, 0);
      assert.ok(scores.length >= 10, `windows scored (${scores.length})`);
      assert.equal(inbox.length, 1, "no alert for the human");
    } finally {
      await browser?.close();
      await guard?.close();
      await site.shutdown();
      await smtp.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
