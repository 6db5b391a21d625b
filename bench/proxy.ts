/**
 * Proxy throughput and latency: the guard (main.ts, the real executable) against nginx
 * (proxy_pass + sub_filter injecting the same tag) in front of one ~20 KB HTML page, each driven
 * by wrk in alternation over several rounds; the upstream alone is the latency baseline.
 *
 * Run: `deno run -A bench/proxy.ts [--rounds 3] [--duration 8] [--connections 32]`. By default
 * wrk replays the cookies the guard set on a first request (a returning visitor); `BENCH_FRESH=1`
 * sends none, so the guard mints and signs a new session on every request.
 * Prints, per target, the median over rounds of req/s, p50 and p99, then the ratio guard/nginx
 * in req/s and the p50 latency each proxy adds over the upstream alone.
 *
 * @module
 */
import { startTaskArgs } from "../sim/browsers/guard_process.ts";
import { parseArgs } from "node:util";
import { reportResult } from "./_result.ts";

const HERE = new URL("./", import.meta.url).pathname;

type WrkResult = { rps: number; p50: number; p99: number };

/** Parses wrk's `--latency` report; latencies in milliseconds. */
export function parseWrk(text: string): WrkResult {
  const rps = text.match(/Requests\/sec:\s+([\d.]+)/);
  const p50 = text.match(/^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m);
  const p99 = text.match(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m);
  if (!rps || !p50 || !p99) {
    throw new SyntaxError(`Cannot parse wrk output: ${text.slice(0, 300)}`);
  }
  const ms = (m: RegExpMatchArray) =>
    Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  return { rps: Number(rps[1]), p50: ms(p50), p99: ms(p99) };
}

async function wrk(
  url: string,
  seconds: number,
  connections: number,
  cookie: string,
): Promise<WrkResult> {
  const header = cookie === "" ? [] : ["-H", `Cookie: ${cookie}`];
  const out = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      ...header,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  if (/Non-2xx or 3xx responses/.test(text)) {
    throw new Error(`wrk saw errors at ${url}: ${text}`);
  }
  return parseWrk(text);
}

/** Spawns a process and resolves with the first stdout line matching `pattern`. */
async function spawnUntil(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  pattern: RegExp,
): Promise<{ child: Deno.ChildProcess; match: RegExpMatchArray }> {
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdout: "piped",
    stderr: "inherit",
  })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`${cmd} exited before printing ${pattern}: ${text}`);
    }
    text += value;
    const match = text.match(pattern);
    if (match) {
      reader.releaseLock();
      child.stdout.cancel().catch(() => {});
      return { child, match };
    }
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function startNginx(upstreamPort: number, tag: string) {
  const prefix = await Deno.makeTempDir({ prefix: "bench_nginx_" });
  const port = freePort();
  const conf = (await Deno.readTextFile(`${HERE}nginx_proxy.conf.template`))
    .replaceAll("{{PREFIX}}", prefix)
    .replaceAll("{{PORT}}", String(port))
    .replaceAll("{{UPSTREAM}}", `127.0.0.1:${upstreamPort}`)
    .replaceAll("{{TAG}}", tag.replaceAll("'", "\\'"));
  await Deno.writeTextFile(`${prefix}/nginx.conf`, conf);
  const child = new Deno.Command("nginx", {
    args: ["-p", prefix, "-c", `${prefix}/nginx.conf`, "-g", "daemon off;"],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, url: `http://127.0.0.1:${port}/`, prefix };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      duration: { type: "string", default: "8" },
      connections: { type: "string", default: "32" },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);

  const up = await spawnUntil(
    Deno.execPath(),
    ["run", "--allow-net", `${HERE}proxy_upstream.ts`],
    {},
    /^(\d+) (\d+)$/m,
  );
  const upstreamPort = Number(up.match[1]);
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  console.log(`upstream ${upstreamUrl}, page ${up.match[2]} bytes`);

  const guard = await spawnUntil(
    Deno.execPath(),
    startTaskArgs(),
    {
      UPSTREAM_URL: upstreamUrl,
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "warn",
      PGLITE_DIR: "memory://",
      ...(Deno.env.get("BENCH_DATABASE_URL")
        ? { DATABASE_URL: Deno.env.get("BENCH_DATABASE_URL")! }
        : {}),
    },
    /Guard listening on (http:\/\/localhost:\d+)/,
  );
  const guardUrl = guard.match[1].replace("localhost", "127.0.0.1") + "/";
  const first = await fetch(guardUrl);
  const page = await first.text();
  // A returning visitor: replay the cookies the guard set (BENCH_FRESH=1 measures first visits).
  const cookie = Deno.env.get("BENCH_FRESH") === "1"
    ? ""
    : first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const tag = page.match(/<script src="[^"]+"[^>]*><\/script>/)?.[0];
  if (!tag) throw new Error("The guard did not inject the collector tag");
  const nginx = await startNginx(upstreamPort, tag);
  const nginxPage = await (await fetch(nginx.url)).text();
  if (nginxPage !== page) {
    throw new Error("nginx and the guard serve different pages");
  }

  const targets: Record<string, string> = {
    direct: `${upstreamUrl}/`,
    guard: guardUrl,
    nginx: nginx.url,
  };
  const results: Record<string, WrkResult[]> = {
    direct: [],
    guard: [],
    nginx: [],
  };
  try {
    for (const name of Object.keys(targets)) {
      await wrk(targets[name], 2, connections, cookie); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0
        ? ["guard", "nginx", "direct"]
        : ["nginx", "guard", "direct"];
      for (const name of order) {
        const res = await wrk(targets[name], seconds, connections, cookie);
        results[name].push(res);
        console.log(
          `round ${r + 1} ${name.padEnd(6)} ${
            res.rps.toFixed(0).padStart(7)
          } req/s  p50 ${res.p50.toFixed(2)} ms  p99 ${res.p99.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    guard.child.kill("SIGTERM");
    nginx.child.kill("SIGQUIT");
    up.child.kill("SIGTERM");
    await Promise.all([
      guard.child.status,
      nginx.child.status,
      up.child.status,
    ]);
    await Deno.remove(nginx.prefix, { recursive: true }).catch(() => {});
  }
  const m = (name: string, key: keyof WrkResult) =>
    median(results[name].map((x) => x[key]));
  console.log(
    `\nmedian of ${rounds} rounds, wrk -t1 -c${connections} -d${seconds}s, ~20 KB HTML page, ${
      cookie ? "returning visitor (guard cookies replayed)" : "fresh visitors"
    }`,
  );
  for (const name of ["direct", "nginx", "guard"]) {
    console.log(
      `${name.padEnd(6)} ${m(name, "rps").toFixed(0).padStart(7)} req/s  p50 ${
        m(name, "p50").toFixed(2)
      } ms  p99 ${m(name, "p99").toFixed(2)} ms`,
    );
  }
  const ratio = m("guard", "rps") / m("nginx", "rps");
  for (const name of ["direct", "nginx", "guard"]) {
    reportResult({
      bench: "proxy",
      name,
      values: {
        rps: m(name, "rps"),
        p50_ms: m(name, "p50"),
        p99_ms: m(name, "p99"),
      },
      baseline: "nginx rps",
      ratio: m(name, "rps") / m("nginx", "rps"),
    });
  }
  console.log(`ratio guard/nginx req/s: ${ratio.toFixed(2)} (target >= 0.60)`);
  console.log(
    `p50 added vs direct: guard ${
      (m("guard", "p50") - m("direct", "p50")).toFixed(2)
    } ms, nginx ${
      (m("nginx", "p50") - m("direct", "p50")).toFixed(2)
    } ms (target guard <= 2 ms)`,
  );
}

if (import.meta.main) await main();
