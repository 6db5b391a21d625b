/**
 * Proxy throughput and latency: the guard (main.ts, the real executable) against nginx
 * (proxy_pass + sub_filter injecting the same tag) in front of one ~20 KB HTML page, each driven
 * by wrk in alternation over several rounds; the upstream alone is the latency baseline.
 *
 * Run: `deno run -A bench/proxy.ts [--rounds 3] [--duration 8] [--connections 32]
 * [--workers 1,2] [--before DIR]`. By default wrk replays the cookies the guard set on a first
 * request (a returning visitor); `BENCH_FRESH=1` sends none, so the guard mints and signs a new
 * session on every request.
 *
 * `--workers 1,2` measures the guard with `WORKERS=N` against nginx with `worker_processes N`
 * for each N, in the same rounds; N > 1 needs PostgreSQL (`BENCH_DATABASE_URL`, then used for
 * every guard of the run). `--before DIR` also runs DIR/main.ts (another checkout, e.g.
 * `git archive <commit> | tar -x -C DIR`) as "guard-before", 1 worker, for before/after in
 * the same run. `--counted` keeps the silence rule from latching (NO_BEHAVIOUR_MS one day,
 * its maximum): every request is then a counted navigation of a session inside its grace,
 * whose count is a compare-and-swap of its shared row (PostgreSQL: `BENCH_DATABASE_URL`);
 * with `--before` it shows what that swap costs the request before and after a change.
 *
 * Prints, per target, the median over rounds of req/s, p50, p99 and the CPU the serving
 * processes spent per request (nginx's master and workers, the guard's supervisor and workers):
 * on a machine shared with other jobs req/s swings with their load, CPU per request much less.
 * Then the ratios guard/nginx at each N in req/s and in CPU per request, and the p50 each proxy
 * adds over the upstream alone, under load (-c32: mostly queueing) and on one connection (a
 * 3 s `wrk -c1` after each run: the latency the proxy itself adds).
 *
 * @module
 */
import { startTaskArgs } from "../sim/browsers/guard_process.ts";
import { parseArgs } from "node:util";
import { reportResult } from "./_result.ts";
import {
  median,
  spawnUntil,
  startNginx,
  startUpstream,
  wrk,
  type WrkResult,
  wrkWithCpu,
} from "./_proxy_harness.ts";

export { parseWrk } from "./_proxy_harness.ts";

type Target = { url: string; pid: number; cookie: string };

/** A fixed secret, so every guard of the run (and each of its workers) accepts its cookies. */
const BENCH_SECRET = "bench-proxy-secret-0123456789abcdef";

let counted = false;

/** `--counted`: the silence rule never latches, so every request is a counted navigation. */
const COUNTED_ENV = { NO_BEHAVIOUR_MS: "86400000" };

async function startGuard(
  args: string[],
  upstreamUrl: string,
  workers: number,
  database: string | undefined,
  cwd?: string,
) {
  const guard = await spawnUntil(
    Deno.execPath(),
    args,
    {
      UPSTREAM_URL: upstreamUrl,
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "warn",
      GUARD_SECRET: BENCH_SECRET,
      WORKERS: String(workers),
      ...(counted ? COUNTED_ENV : {}),
      ...(database === undefined
        ? { PGLITE_DIR: "memory://" }
        : { DATABASE_URL: database }),
    },
    /^Guard listening on (http:\/\/localhost:\d+)/m,
    cwd,
  );
  const url = guard.match[1].replace("localhost", "127.0.0.1") + "/";
  const first = await fetch(url);
  const page = await first.text();
  // A returning visitor: replay the cookies the guard set (BENCH_FRESH=1 measures first visits).
  const cookie = Deno.env.get("BENCH_FRESH") === "1"
    ? ""
    : first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { child: guard.child, url, page, cookie };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      duration: { type: "string", default: "8" },
      connections: { type: "string", default: "32" },
      workers: { type: "string", default: "1" },
      before: { type: "string" },
      counted: { type: "boolean", default: false },
    },
  });
  counted = values.counted;
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const workers = values.workers.split(",").map(Number);
  const database = Deno.env.get("BENCH_DATABASE_URL");
  if (workers.some((n) => n > 1) && database === undefined) {
    throw new TypeError(
      "--workers above 1 needs BENCH_DATABASE_URL (workers share state through PostgreSQL)",
    );
  }

  const up = await startUpstream();
  const upstreamPort = up.port;
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  console.log(`upstream ${upstreamUrl}, page ${up.pageBytes} bytes`);

  const children: { child: Deno.ChildProcess; signal: Deno.Signal }[] = [
    { child: up.child, signal: "SIGTERM" },
  ];
  const targets: Record<string, Target> = {
    direct: { url: `${upstreamUrl}/`, pid: up.child.pid, cookie: "" },
  };
  const prefixes: string[] = [];
  const suffix = (n: number) => (n === 1 ? "" : ` x${n}`);
  let page = "";
  try {
    for (const n of workers) {
      const guard = await startGuard(startTaskArgs(), upstreamUrl, n, database);
      children.push({ child: guard.child, signal: "SIGTERM" });
      targets[`guard${suffix(n)}`] = {
        url: guard.url,
        pid: guard.child.pid,
        cookie: guard.cookie,
      };
      page = guard.page;
      const tag = page.match(/<script src="[^"]+"[^>]*><\/script>/)?.[0];
      if (!tag) throw new Error("The guard did not inject the collector tag");
      const nginx = await startNginx(upstreamPort, tag, n);
      children.push({ child: nginx.child, signal: "SIGQUIT" });
      prefixes.push(nginx.prefix);
      targets[`nginx${suffix(n)}`] = {
        url: nginx.url,
        pid: nginx.child.pid,
        cookie: "",
      };
      const nginxPage = await (await fetch(nginx.url)).text();
      if (nginxPage !== page) {
        throw new Error("nginx and the guard serve different pages");
      }
    }
    if (values.before !== undefined) {
      const dir = Deno.realPathSync(values.before);
      const args = startTaskArgs();
      args[args.length - 1] = `${dir}/main.ts`;
      // In its own folder: its relative MODEL_PATH and data/ are the older checkout's.
      const before = await startGuard(
        args,
        upstreamUrl,
        1,
        database,
        dir,
      );
      children.push({ child: before.child, signal: "SIGTERM" });
      targets["guard-before"] = {
        url: before.url,
        pid: before.child.pid,
        cookie: before.cookie,
      };
    }
    await pastSilenceGrace(targets);
    await measure(targets, { rounds, seconds, connections, workers });
  } finally {
    for (const { child, signal } of children) child.kill(signal);
    await Promise.all(children.map(({ child }) => child.status));
    for (const prefix of prefixes) {
      await Deno.remove(prefix, { recursive: true }).catch(() => {});
    }
  }
}

/**
 * Waits until the returning visitor's sessions are past the silence rule's grace (15 s,
 * detect/silence.ts) and sends each guard one more request, so the rule has latched: within the
 * grace (and for a session with behaviour evidence) every request round trip of a session costs
 * a compare-and-swap of its shared state in the store, which is the store's cost, not the
 * proxy path's (README "Measured" → Proxy gives both).
 */
async function pastSilenceGrace(
  targets: Record<string, Target>,
): Promise<void> {
  if (Deno.env.get("BENCH_FRESH") === "1") return;
  // Every session was opened before this call (startGuard): 16 s from now is past all graces.
  await new Promise((r) => setTimeout(r, 16_000));
  for (const t of Object.values(targets)) {
    if (t.cookie === "") continue;
    await (await fetch(t.url, { headers: { cookie: t.cookie } })).body
      ?.cancel();
  }
}

type Plan = {
  rounds: number;
  seconds: number;
  connections: number;
  workers: number[];
};

async function measure(
  targets: Record<string, Target>,
  plan: Plan,
): Promise<void> {
  const { rounds, seconds, connections } = plan;
  const names = Object.keys(targets);
  const results: Record<string, WrkResult[]> = {};
  const unloaded: Record<string, number[]> = {};
  for (const name of names) {
    results[name] = [];
    unloaded[name] = [];
    await wrk(targets[name].url, 2, connections, targets[name].cookie); // warm-up
  }
  for (let r = 0; r < rounds; r++) {
    // Alternate: each proxy goes first in every other round.
    const proxies = names.filter((n) => n !== "direct");
    const order = [...(r % 2 === 0 ? proxies : proxies.reverse()), "direct"];
    for (const name of order) {
      const t = targets[name];
      const res = await wrkWithCpu(
        t.url,
        seconds,
        connections,
        t.cookie,
        t.pid,
      );
      results[name].push(res);
      // One connection, no queueing: the latency the proxy itself adds.
      const single = await wrk(t.url, 3, 1, t.cookie);
      unloaded[name].push(single.p50);
      console.log(
        `round ${r + 1} ${name.padEnd(12)} ${
          res.rps.toFixed(0).padStart(7)
        } req/s  p50 ${res.p50.toFixed(2)} ms  p99 ${
          res.p99.toFixed(2)
        } ms  cpu ${res.cpuUs!.toFixed(0)} µs/req  p50 at -c1 ${
          single.p50.toFixed(3)
        } ms`,
      );
    }
  }
  const c1 = (name: string) => median(unloaded[name]);
  const m = (name: string, key: keyof WrkResult) =>
    median(results[name].map((x) => x[key] ?? NaN));
  console.log(
    `\nmedian of ${rounds} rounds, wrk -t1 -c${connections} -d${seconds}s, ~20 KB HTML page, ${
      targets.guard?.cookie
        ? "returning visitor (guard cookies replayed)"
        : "fresh visitors"
    }`,
  );
  for (const name of names) {
    const n = /x(\d+)$/.exec(name)?.[1];
    const nginx = n === undefined ? "nginx" : `nginx x${n}`;
    const ratio = m(name, "rps") / m(nginx, "rps");
    const added = m(name, "p50") - m("direct", "p50");
    console.log(
      `${name.padEnd(12)} ${m(name, "rps").toFixed(0).padStart(7)} req/s  p50 ${
        m(name, "p50").toFixed(2)
      } ms  p99 ${m(name, "p99").toFixed(2)} ms  cpu ${
        m(name, "cpuUs").toFixed(0)
      } µs/req  /${nginx} ${ratio.toFixed(2)}  p50 added ${
        added.toFixed(2)
      } ms`,
    );
    reportResult({
      bench: "proxy",
      name,
      values: {
        rps: m(name, "rps"),
        p50_ms: m(name, "p50"),
        p99_ms: m(name, "p99"),
        p50_added_ms: added,
        p50_c1_ms: c1(name),
        p50_added_c1_ms: c1(name) - c1("direct"),
        cpu_us_per_req: m(name, "cpuUs"),
        cpu_ratio_nginx: m(nginx, "cpuUs") / m(name, "cpuUs"),
      },
      baseline: `${nginx} rps`,
      ratio,
    });
  }
  for (const n of plan.workers) {
    const g = `guard${n === 1 ? "" : ` x${n}`}`;
    const x = `nginx${n === 1 ? "" : ` x${n}`}`;
    console.log(
      `${n} worker(s): guard/nginx req/s ${
        (m(g, "rps") / m(x, "rps")).toFixed(2)
      } (target >= 0.60), nginx/guard CPU per request ${
        (m(x, "cpuUs") / m(g, "cpuUs")).toFixed(2)
      }, p50 added vs direct: guard ${
        (m(g, "p50") - m("direct", "p50")).toFixed(2)
      } ms, nginx ${
        (m(x, "p50") - m("direct", "p50")).toFixed(2)
      } ms; at -c1: guard ${(c1(g) - c1("direct")).toFixed(3)} ms, nginx ${
        (c1(x) - c1("direct")).toFixed(3)
      } ms (target guard <= 1 ms)`,
    );
  }
}

if (import.meta.main) await main();
