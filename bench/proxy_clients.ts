/**
 * Upstream clients and body handling for the proxy path, side by side: each candidate is a bare
 * `Deno.serve` pass-through (bench/_proxy_candidate.ts, no guard logic) in front of the bench
 * page, injecting the same tag with the guard's scanner; nginx (1 worker, proxy_pass +
 * sub_filter) is the baseline and the upstream alone the latency floor, all driven by wrk in
 * alternating order over several rounds.
 *
 * Run: `deno run -A bench/proxy_clients.ts [--rounds 3] [--duration 5] [--connections 32]`.
 * Prints, per candidate, the median req/s, p50 and p99, the ratio to nginx, the p50 added over
 * the upstream alone, and the CPU the serving process spent per request (with nginx's over it:
 * steadier than req/s when other jobs share the machine), and one BENCH_RESULT line each.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { reportResult } from "./_result.ts";
import {
  HERE,
  median,
  spawnUntil,
  startNginx,
  startUpstream,
  wrk,
  type WrkResult,
  wrkWithCpu,
} from "./_proxy_harness.ts";

/** client/body pairs measured (see bench/_proxy_candidate.ts). */
const CANDIDATES = [
  "node-http/buffer",
  "node-http/stream",
  "fetch/buffer",
  "fetch-tuned/buffer",
  "fetch-tuned/stream",
  "undici/buffer",
  "undici/stream",
  "undici-pipe4/buffer",
];

const TAG =
  '<script src="/__guard/c.0123456789ab.js" data-ingest="/__guard/ingest" data-window="5000" async></script>';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      duration: { type: "string", default: "5" },
      connections: { type: "string", default: "32" },
      only: { type: "string", default: CANDIDATES.join(",") },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const candidates = values.only.split(",");

  const up = await startUpstream();
  const upstreamPort = up.port;
  const origin = `http://127.0.0.1:${upstreamPort}`;
  const children: Deno.ChildProcess[] = [up.child];
  const targets: Record<string, string> = { direct: `${origin}/` };
  const pids: Record<string, number> = { direct: up.child.pid };
  const nginx = await startNginx(upstreamPort, TAG);
  targets.nginx = nginx.url;
  pids.nginx = nginx.child.pid;
  const expected = await (await fetch(nginx.url)).text();
  try {
    for (const name of candidates) {
      const [client, body] = name.split("/");
      const c = await spawnUntil(
        Deno.execPath(),
        ["run", "-A", `${HERE}_proxy_candidate.ts`, origin, client, body, TAG],
        {},
        /^(\d+)$/m,
      );
      children.push(c.child);
      targets[name] = `http://127.0.0.1:${c.match[1]}/`;
      pids[name] = c.child.pid;
      const page = await (await fetch(targets[name])).text();
      if (page !== expected) {
        throw new Error(`${name} and nginx serve different pages`);
      }
    }
    const results: Record<string, WrkResult[]> = {};
    const names = Object.keys(targets);
    for (const name of names) {
      results[name] = [];
      await wrk(targets[name], 1, connections, ""); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const res = await wrkWithCpu(
          targets[name],
          seconds,
          connections,
          "",
          pids[name],
        );
        results[name].push(res);
        console.log(
          `round ${r + 1} ${name.padEnd(20)} ${
            res.rps.toFixed(0).padStart(7)
          } req/s  p50 ${res.p50.toFixed(2)} ms  p99 ${
            res.p99.toFixed(2)
          } ms  cpu ${res.cpuUs!.toFixed(0)} µs/req`,
        );
      }
    }
    const m = (name: string, key: keyof WrkResult) =>
      median(results[name].map((x) => x[key] ?? NaN));
    console.log(
      `\nmedian of ${rounds} rounds, wrk -t1 -c${connections} -d${seconds}s, ~20 KB HTML page`,
    );
    for (const name of names) {
      const ratio = m(name, "rps") / m("nginx", "rps");
      const added = m(name, "p50") - m("direct", "p50");
      const cpuRatio = m("nginx", "cpuUs") / m(name, "cpuUs");
      console.log(
        `${name.padEnd(20)} ${
          m(name, "rps").toFixed(0).padStart(7)
        } req/s  p50 ${m(name, "p50").toFixed(2)} ms  p99 ${
          m(name, "p99").toFixed(2)
        } ms  /nginx ${ratio.toFixed(2)}  p50 added ${
          added.toFixed(2)
        } ms  cpu ${m(name, "cpuUs").toFixed(0)} µs/req (nginx/this ${
          cpuRatio.toFixed(2)
        })`,
      );
      reportResult({
        bench: "proxy_clients",
        name,
        values: {
          rps: m(name, "rps"),
          p50_ms: m(name, "p50"),
          p99_ms: m(name, "p99"),
          p50_added_ms: added,
          cpu_us_per_req: m(name, "cpuUs"),
          cpu_ratio_nginx: cpuRatio,
        },
        baseline: "nginx rps",
        ratio,
      });
    }
  } finally {
    nginx.child.kill("SIGQUIT");
    for (const child of children) child.kill("SIGTERM");
    await Promise.all([nginx.child.status, ...children.map((c) => c.status)]);
    await Deno.remove(nginx.prefix, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
