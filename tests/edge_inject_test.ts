/**
 * The collector tag through the real guard under hostile markup and policies (issue 15 items 2
 * and 6): a site CSP that must not be weakened (checked in real Chromium), a CSP in `<meta>`,
 * form-POST pages, and fake `</head>`s in every context the tag must never land in.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  launchChromium,
  skipWithoutChromium,
} from "../sim/browsers/chromium.ts";
import { startGuardProcess } from "../sim/browsers/guard_process.ts";
import { startPair, TAG } from "./proxy_fixtures.ts";

const SKIP_BROWSER = skipWithoutChromium("tests/edge_inject_test.ts");
const html = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, {
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });
const NONCE_TAG = (nonce: string) =>
  TAG.replace(" async>", ` nonce="${nonce}" async>`);

Deno.test("edge injects the collector into the HTML answering a form POST, not into a fetch() POST", async (t) => {
  const page =
    "<html><head><title>Login failed</title></head><body>x</body></html>";
  const pair = startPair(() => html(page));
  const injected = page.replace("</head>", `${TAG}</head>`);
  try {
    for (
      const [name, headers, expected] of [
        ["form POST (Sec-Fetch-Mode: navigate)", {
          "sec-fetch-mode": "navigate",
          "sec-fetch-dest": "document",
        }, injected],
        ["form POST without Fetch Metadata (Accept: text/html)", {
          accept: "text/html,application/xhtml+xml,*/*;q=0.8",
        }, injected],
        ["fetch() POST (Sec-Fetch-Mode: cors)", {
          "sec-fetch-mode": "cors",
          "sec-fetch-dest": "empty",
          accept: "text/html",
        }, page],
        ["script POST accepting JSON", { accept: "application/json" }, page],
      ] as const
    ) {
      await t.step(name, async () => {
        const res = await fetch(`${pair.guardUrl}/login`, {
          method: "POST",
          body: new URLSearchParams({ username: "a", password: "b" }),
          headers,
        });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), expected);
      });
    }
  } finally {
    await pair.close();
  }
});

Deno.test("edge never places the collector inside noscript, template, script, style, textarea, title or a comment", async (t) => {
  const cases: Array<[string, string]> = [
    ["<noscript></head></noscript>", "noscript in head"],
    ["<template></head><body></template>", "template in head"],
    [
      "<template><template></head></template></head></template>",
      "nested template",
    ],
    ["<script>'</head>'</script>", "script"],
    ["<style>/*</head>*/</style>", "style"],
    ["<title></head></title>", "title"],
    ["<textarea></head></textarea>", "textarea"],
    ["<!-- </head> -->", "comment"],
  ];
  const pair = startPair((req) => {
    const i = Number(new URL(req.url).searchParams.get("i"));
    return html(`<html><head>${cases[i][0]}</head><body>b</body></html>`);
  });
  try {
    for (const [i, [markup, name]] of cases.entries()) {
      await t.step(name, async () => {
        const res = await fetch(`${pair.guardUrl}/?i=${i}`);
        assert.equal(
          await res.text(),
          `<html><head>${markup}${TAG}</head><body>b</body></html>`,
        );
      });
    }
    await t.step("noscript in body", async () => {
      // The head has no end tag: the tag goes after <body>, never inside the noscript.
      const pair2 = startPair(() =>
        html("<html><body><noscript><body></noscript>x</body></html>")
      );
      try {
        const res = await fetch(pair2.guardUrl);
        assert.equal(
          await res.text(),
          `<html><body>${TAG}<noscript><body></noscript>x</body></html>`,
        );
      } finally {
        await pair2.close();
      }
    });
  } finally {
    await pair.close();
  }
});

Deno.test("edge widens a CSP declared in <meta http-equiv> with the tag's own nonce", async () => {
  const pair = startPair(() =>
    html(
      `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'nonce-site'; connect-src 'none'"><title>t</title></head><body></body></html>`,
    )
  );
  try {
    const text = await (await fetch(pair.guardUrl)).text();
    const nonce = text.match(/'nonce-([0-9a-f]{32})'/)?.[1];
    assert.ok(nonce, text);
    assert.equal(
      text,
      `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'nonce-site' 'nonce-${nonce}'; connect-src 'self'"><title>t</title>${
        NONCE_TAG(nonce)
      }</head><body></body></html>`,
    );
  } finally {
    await pair.close();
  }
});

/** A site with a nonce-only CSP and stored markup that loads a same-origin uploaded script. */
function startStrictSite(
  where: "header" | "meta",
): Deno.HttpServer<Deno.NetAddr> {
  const csp = "script-src 'nonce-site0nce'; connect-src 'none'";
  const meta = where === "meta"
    ? `<meta http-equiv="Content-Security-Policy" content="${csp}">`
    : "";
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/upload/evil.js") {
        return new Response("window.evilRan = true;", {
          headers: { "content-type": "text/javascript" },
        });
      }
      return html(
        `<!doctype html><html><head>${meta}<title>s</title><script nonce="site0nce">window.siteRan = true;</script></head><body><p>comment: <script src="/upload/evil.js"></script></p><div style="height:3000px">long</div></body></html>`,
        where === "header" ? { "content-security-policy": csp } : {},
      );
    },
  );
}

for (const where of ["header", "meta"] as const) {
  Deno.test({
    name:
      `edge keeps a nonce-only CSP (${where}) blocking an uploaded script in Chromium while the collector posts`,
    ignore: SKIP_BROWSER,
    async fn() {
      const site = startStrictSite(where);
      const guard = await startGuardProcess({
        UPSTREAM_URL: `http://127.0.0.1:${site.addr.port}`,
        PGLITE_DIR: "memory://",
        WINDOW_MS: "1000",
        MODE: "monitor",
      });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const posts: number[] = [];
        const blocked: string[] = [];
        page.on("response", (res) => {
          const url = new URL(res.url());
          if (url.pathname === "/__guard/ingest") posts.push(res.status());
        });
        page.on("console", (msg) => {
          if (/Content Security Policy/.test(msg.text())) {
            blocked.push(msg.text());
          }
        });
        await page.goto(`${guard.url}/article`, { waitUntil: "load" });
        for (let i = 0; i < 3; i++) {
          await page.mouse.move(50 + i * 40, 60, { steps: 15 });
          await page.mouse.wheel({ deltaY: 200 });
          await page.mouse.move(300, 200 + i * 30, { steps: 15 });
          await new Promise((r) => setTimeout(r, 500));
        }
        const deadline = Date.now() + 10_000;
        while (!posts.includes(200) && Date.now() < deadline) {
          await page.mouse.move(Math.random() * 500, Math.random() * 400, {
            steps: 5,
          });
          await new Promise((r) => setTimeout(r, 200));
        }
        const ran = await page.evaluate(() => ({
          site: (globalThis as { siteRan?: boolean }).siteRan ?? false,
          evil: (globalThis as { evilRan?: boolean }).evilRan ?? false,
        }));
        assert.deepEqual(ran, { site: true, evil: false });
        assert.ok(posts.includes(200), `ingest statuses: ${posts.join(",")}`);
        assert.ok(
          blocked.some((m) => m.includes("/upload/evil.js")),
          blocked.join("\n"),
        );
      } finally {
        await browser.close();
        await guard.stop();
        await site.shutdown();
      }
    },
  });
}
