/**
 * The operator console in real Chromium (issue 16 item 2): a guard wired like main.ts on a store
 * seeded with one session of each verdict; the admin logs in through the form, each page renders
 * the seeded data, passes axe-core with no serious or critical violation and is screenshotted
 * (into a temp dir, printed), labels round-trip through the one-click forms into the export,
 * and the adapt candidate is promoted from the overview.
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import type { Page } from "puppeteer-core";
import {
  launchChromium,
  skipWithoutChromium,
} from "../sim/browsers/chromium.ts";
import { startTestGuard } from "./detect_harness.ts";
import { seedConsole, SEEDED } from "./_console_seed.ts";
import { until } from "./_wait.ts";

const SKIP = skipWithoutChromium("tests/console_e2e_test.ts");
const TOKEN = "console-t0ken-console-t0ken";
const AXE_SOURCE = (axe as unknown as { source: string }).source;

/** A live model, and a candidate that differs from it (its threshold), with a report. */
async function modelFiles(dir: string) {
  const live = `${dir}/live`;
  const adapt = `${dir}/adapt`;
  await Deno.mkdir(live);
  await Deno.mkdir(adapt);
  const json = JSON.parse(await Deno.readTextFile("data/model.json"));
  await Deno.writeTextFile(`${live}/model.json`, JSON.stringify(json));
  await Deno.copyFile("data/humanness.json", `${live}/humanness.json`);
  await Deno.writeTextFile(
    `${adapt}/model.json`,
    JSON.stringify({ ...json, threshold: 0.6 }),
  );
  await Deno.writeTextFile(
    `${adapt}/report.json`,
    JSON.stringify({
      trained: {
        siteSessions: 12,
        siteWindows: 340,
        humanRows: 9000,
        botRows: 8000,
      },
      comparison: [
        {
          group: "trusted humans, held out",
          sessions: 40,
          live: 3,
          candidate: 0,
        },
        {
          group: "generated bots, held out",
          sessions: 50,
          live: 44,
          candidate: 47,
        },
      ],
    }),
  );
  return { live, adapt };
}

/** Runs axe-core in the page: the serious and critical violations, as "id: target" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const result = await g.axe.run(g.document, {
      resultTypes: ["violations"],
    });
    return result.violations.map((
      v: { id: string; impact: string; nodes: { target: string[] }[] },
    ) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  }) as { id: string; impact: string; targets: string[] }[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.targets.slice(0, 3).join(", ")}`);
}

async function check(page: Page, shots: string, name: string) {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${name}`);
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

const text = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { document: { body: { innerText: string } } })
      .document.body.innerText
  );

Deno.test({
  name:
    "console pages render seeded data in Chromium, pass axe-core, and round-trip labels and promotion",
  ignore: SKIP,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "guard_console_" });
    const shots = `${dir}/screenshots`;
    await Deno.mkdir(shots);
    const files = await modelFiles(dir);
    const upstream = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) =>
        new URL(req.url).pathname === "/welcome"
          ? new Response(
            "<!doctype html><html lang=en><title>site</title><h1>Site</h1></html>",
            { headers: { "content-type": "text/html; charset=utf-8" } },
          )
          : new Response("not found", { status: 404 }),
    );
    const guard = await startTestGuard({
      upstream: `http://127.0.0.1:${upstream.addr.port}`,
      collector: { code: "/*c*/", hash: "test" },
      env: {
        ADMIN_TOKEN: TOKEN,
        MODE: "monitor",
        MODEL_PATH: `${files.live}/model.json`,
        HUMANNESS_MODEL_PATH: `${files.live}/humanness.json`,
        ADAPT_DIR: files.adapt,
        RETAIN_RAW: "true",
      },
    });
    const browser = await launchChromium();
    try {
      await seedConsole(guard.store);
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const admin = `${guard.url}/__guard/admin`;

      await t.step("a site page is recorded as a page view", async () => {
        await page.goto(`${guard.url}/welcome?utm=x`);
        assert.ok(
          await until(
            async () => {
              const rows = await guard.store.console.searchSessions({
                limit: 20,
              });
              const mine = rows.filter((r) =>
                !Object.values(SEEDED).includes(r.id as never)
              );
              if (mine.length !== 1) return false;
              const pages = await guard.store.console.sessionPages(mine[0].id);
              return pages.length === 1 && pages[0].path === "/welcome" &&
                pages[0].client === "127.0.0.0/24";
            },
            5000,
            100,
          ),
          "the page view was not recorded",
        );
      });

      await t.step("login form, then the overview", async () => {
        await page.goto(`${admin}/`);
        assert.equal(new URL(page.url()).pathname, "/__guard/admin/login");
        await check(page, shots, "login");
        await page.type("input[name=token]", TOKEN);
        await Promise.all([page.waitForNavigation(), page.click("button")]);
        assert.equal(new URL(page.url()).pathname, "/__guard/admin/");
        const body = await text(page);
        assert.match(
          body,
          /Human false-positive rate 50\.0 % \(95 % CI 9\.5 %–90\.5 %\)/,
        );
        assert.match(body, /1 of 2 sessions labelled human were flagged/);
        assert.match(body, /Labelled bots caught: 1 of 1\./);
        assert.match(body, /connect ECONNREFUSED 127\.0\.0\.1:25/);
        assert.match(body, /203\.0\.113\.0\/24\t2\t6/);
        assert.match(body, /\/account\t2\t4/);
        assert.match(
          body,
          /trusted humans, held out\t40\t3 \(7\.5 %\)\t0 \(0\.0 %\)/,
        );
        // Sessions and page loads over time, the score histogram, the live model's and the live
        // humanness model's importances.
        assert.equal(await page.$$eval("svg[role=img]", (s) => s.length), 5);
        await check(page, shots, "overview");
      });

      await t.step("the session list filters by verdict", async () => {
        await page.goto(`${admin}/sessions?verdict=bot`);
        const ids = await page.$$eval(
          "tbody tr td:first-child a, table tr td:first-child a",
          (a) => a.map((x) => x.textContent),
        );
        assert.deepEqual(ids, [SEEDED.falsePositive, SEEDED.bot]);
        await check(page, shots, "sessions");
      });

      await t.step(
        "a bot session: timeline, decision path in words, pages",
        async () => {
          await page.goto(`${admin}/sessions/${SEEDED.bot}`);
          const body = await text(page);
          assert.match(
            body,
            /speed variability 0\.03 ≤ 0\.11 → mean curvature 0\.01 ≤ 0\.5 → click hold time missing \(sent > 40\) → P\(bot\) 0\.99/,
          );
          assert.match(body, /\/account\t203\.0\.113\.0\/24\t2/);
          assert.equal(
            await page.$$eval(
              "svg[aria-label^='Timeline of 4 window scores']",
              (s) => s.length,
            ),
            1,
          );
          await check(page, shots, "session-bot");
        },
      );

      await t.step("a human session: its pointer trajectory", async () => {
        await page.goto(`${admin}/sessions/${SEEDED.human}`);
        assert.equal(
          await page.$$eval(
            "svg[aria-label='Pointer trajectory of 40 events']",
            (s) => s.length,
          ),
          1,
        );
        assert.match(await text(page), /\/profile\t198\.51\.100\.0\/24\t1/);
        await check(page, shots, "session-human");
      });

      await t.step("one-click label round-trips into the export", async () => {
        await page.goto(`${admin}/sessions/${SEEDED.unauthorized}`);
        await Promise.all([
          page.waitForNavigation(),
          page.click(
            `button[aria-label='Label session ${SEEDED.unauthorized} human']`,
          ),
        ]);
        assert.equal(
          new URL(page.url()).pathname,
          `/__guard/admin/sessions/${SEEDED.unauthorized}`,
        );
        assert.match(await text(page), /Label: human\./);
        assert.equal(
          (await guard.store.getSession(SEEDED.unauthorized))!.label,
          "human",
        );
        const rows = [];
        for await (
          const r of guard.store.exportLabelledWindows({ label: "human" })
        ) {
          if (r.session === SEEDED.unauthorized) rows.push(r.seq);
        }
        assert.deepEqual(rows, [1, 2, 3, 4, 5, 6]);
      });

      await t.step("the candidate is promoted from the overview", async () => {
        await page.goto(`${admin}/`);
        const before = guard.detection.models.current().version;
        await Promise.all([
          page.waitForNavigation(),
          page.click("form[action$='/model/promote'] button"),
        ]);
        const after = guard.detection.models.current().version;
        assert.notEqual(after, before);
        assert.equal(
          await Deno.readTextFile(`${files.live}/model.json`),
          await Deno.readTextFile(`${files.adapt}/model.json`),
        );
        assert.match(
          await text(page),
          new RegExp(
            `Promoted candidate ${after}: it is the live model now\\.`,
          ),
        );
        await check(page, shots, "overview-promoted");
      });
      console.log(`console screenshots: ${shots}`);
    } finally {
      await browser.close();
      await guard.close();
      await upstream.shutdown();
    }
  },
});
