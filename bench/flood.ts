/**
 * The fresh-session flood of issue 14 item 6, before and after: one client (one address, one
 * User-Agent) opens FLOOD_SESSIONS (4,000) fresh guard sessions on the demo site, each loading a
 * page (its guard cookie and page token) and posting 3 machine-constant bot windows, 32 at a
 * time. The guard runs as operators run it (main.ts, MODE=enforce, the shipped model, a fresh
 * PostgreSQL database). Measured per guard: the guard process's RSS (VmRSS after, VmHWM peak)
 * and the store's growth (rows per table, database size), then after/before ratios.
 *
 *   deno run -A bench/flood.ts [--base-rev 269c545] [--sessions 4000]
 *
 * "before" is the guard at `--base-rev` (extracted with `git archive` into a temp dir), "after"
 * this checkout. Needs DATABASE_URL (a server where databases may be created).
 *
 * @module
 */
import postgres from "postgres";
import { parseArgs } from "node:util";
import { encodeEvents, type WindowEvent } from "../collector/mod.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    "base-rev": { type: "string", default: "269c545" },
    sessions: { type: "string", default: "4000" },
    concurrency: { type: "string", default: "32" },
  },
});
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const DATABASE_URL = Deno.env.get("DATABASE_URL");
const UA = "Mozilla/5.0 (X11; Linux x86_64) flood-bench/1";
const TABLES = [
  "guard_sessions",
  "feature_windows",
  "scores",
  "detections",
  "revocations",
  "alert_outbox",
  "session_credentials",
  "revoked_credentials",
];

interface Run {
  label: string;
  seconds: number;
  statuses: Record<string, number>;
  rssIdleMb: number;
  rssAfterMb: number;
  rssPeakMb: number;
  rows: Record<string, number | null>;
  dbBytes: number;
}

async function extract(rev: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "guard-base-" });
  const git = new Deno.Command("sh", {
    args: ["-c", `git archive --format=tar ${rev} | tar -x -C ${dir}`],
    cwd: new URL("../", import.meta.url).pathname,
  });
  const out = await git.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return dir;
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (k: string) =>
    Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

async function startGuard(root: string, databaseUrl: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      "--allow-run=deno",
      `${root}/main.ts`,
    ],
    cwd: root,
    env: {
      DATABASE_URL: databaseUrl,
      MODE: "enforce",
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "error",
      GUARD_SECRET: "flood-bench-secret-flood-bench-secret",
      WINDOW_MS: "1000",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/Guard listening on (\S+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`guard exited: ${text}`);
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const url = /Guard listening on (\S+)/.exec(text)![1].replace(
    "localhost",
    "127.0.0.1",
  );
  return { url, child };
}

function botWindow(seq: number, page: string, t0: number): string {
  const events: WindowEvent[] = [{ t: t0, kind: "meta", webdriver: false }];
  for (let k = 1; k <= 24; k++) {
    events.push({ t: t0 + 16 * k, kind: "move", x: 20 + 10 * k, y: 300 });
  }
  return JSON.stringify({
    v: 2,
    seq,
    page,
    t0,
    t1: t0 + 600,
    vw: 1280,
    vh: 800,
    e: encodeEvents(events, t0),
  });
}

/** One fresh session: a page load without cookies, then 3 bot windows. */
async function oneSession(base: string, statuses: Record<string, number>) {
  const count = (k: string) => statuses[k] = (statuses[k] ?? 0) + 1;
  const page = await fetch(`${base}/`, {
    headers: {
      "user-agent": UA,
      accept: "text/html",
      "sec-fetch-mode": "navigate",
    },
  });
  const html = await page.text();
  count(`page ${page.status}`);
  const sid = page.headers.getSetCookie().find((l) =>
    l.startsWith("__guard_sid=")
  );
  const token = /data-page="([^"]+)"/.exec(html)?.[1];
  if (sid === undefined || token === undefined) return;
  const t0 = Date.now();
  for (let seq = 1; seq <= 3; seq++) {
    const res = await fetch(`${base}/__guard/ingest`, {
      method: "POST",
      headers: {
        "user-agent": UA,
        "content-type": "application/json",
        cookie: sid.split(";")[0],
      },
      body: botWindow(seq, token, t0 + (seq - 1) * 600),
    });
    const reply = await res.json().catch(() => ({}));
    count(`window ${res.status} ${reply.action ?? reply.error ?? ""}`.trim());
  }
}

async function measure(label: string, root: string): Promise<Run> {
  const name = `guard_flood_${label}_${Date.now().toString(36)}`;
  const admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(DATABASE_URL!);
  url.pathname = `/${name}`;
  const { url: base, child } = await startGuard(root, url.href);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(child.pid);
    const statuses: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SESSIONS) {
          next++;
          await oneSession(base, statuses);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000)); // buffer flush, outbox writes
    const after = rssMb(child.pid);
    const db = postgres(url.href, { max: 1, onnotice: () => {} });
    const rows: Record<string, number | null> = {};
    for (const table of TABLES) {
      const [exists] =
        await db`select to_regclass(${table}) is not null as yes`;
      rows[table] = exists.yes
        ? Number((await db`select count(*)::int as n from ${db(table)}`)[0].n)
        : null;
    }
    const [{ size }] =
      await db`select pg_database_size(current_database())::bigint as size`;
    await db.end();
    return {
      label,
      seconds,
      statuses,
      rssIdleMb: idle.rss,
      rssAfterMb: after.rss,
      rssPeakMb: after.peak,
      rows,
      dbBytes: Number(size),
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end();
  }
}

function report(before: Run, after: Run) {
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? "n/a" : (a / b).toFixed(3);
  console.log(
    `\nFlood: ${SESSIONS} fresh guard sessions × 3 bot windows, ${CONCURRENCY} at a time\n`,
  );
  for (const r of [before, after]) {
    console.log(
      `${r.label}: ${r.seconds.toFixed(1)} s, ${JSON.stringify(r.statuses)}`,
    );
  }
  console.log(
    "\n| measure | before | after | after/before |\n| --- | --- | --- | --- |",
  );
  const line = (name: string, a: number | null, b: number | null, digits = 0) =>
    console.log(
      `| ${name} | ${a === null ? "—" : a.toFixed(digits)} | ${
        b === null ? "—" : b.toFixed(digits)
      } | ${ratio(b, a)} |`,
    );
  line("RSS idle (MB)", before.rssIdleMb, after.rssIdleMb, 1);
  line("RSS after flood (MB)", before.rssAfterMb, after.rssAfterMb, 1);
  line("RSS peak (MB)", before.rssPeakMb, after.rssPeakMb, 1);
  line(
    "RSS growth (MB)",
    before.rssAfterMb - before.rssIdleMb,
    after.rssAfterMb - after.rssIdleMb,
    1,
  );
  for (const t of TABLES) line(`rows ${t}`, before.rows[t], after.rows[t]);
  line(
    "database size (MB)",
    before.dbBytes / 1048576,
    after.dbBytes / 1048576,
    1,
  );
}

if (import.meta.main) {
  if (!DATABASE_URL) {
    console.error(
      "DATABASE_URL must name a server where databases may be created",
    );
    Deno.exit(1);
  }
  const baseRoot = await extract(args["base-rev"]!);
  try {
    const before = await measure("before", baseRoot);
    const after = await measure(
      "after",
      new URL("../", import.meta.url).pathname.replace(/\/$/, ""),
    );
    report(before, after);
  } finally {
    await Deno.remove(baseRoot, { recursive: true });
  }
}
