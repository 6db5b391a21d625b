/**
 * Shared pieces of the proxy benchmarks (bench/proxy.ts, bench/proxy_clients.ts): wrk runs and
 * their parsing, child processes that announce their port, and the nginx baseline.
 *
 * @module
 */
export const HERE = new URL("./", import.meta.url).pathname;

/**
 * One wrk run: req/s, latency percentiles in ms, requests completed, and (when measured) the
 * CPU time the serving processes spent per request, in µs.
 */
export type WrkResult = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  cpuUs?: number;
};

/** Parses wrk's `--latency` report; latencies in milliseconds. */
export function parseWrk(text: string): WrkResult {
  const rps = text.match(/Requests\/sec:\s+([\d.]+)/);
  const p50 = text.match(/^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m);
  const p99 = text.match(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m);
  const requests = text.match(/^\s*(\d+) requests in/m);
  if (!rps || !p50 || !p99 || !requests) {
    throw new SyntaxError(`Cannot parse wrk output: ${text.slice(0, 300)}`);
  }
  const ms = (m: RegExpMatchArray) =>
    Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  return {
    rps: Number(rps[1]),
    p50: ms(p50),
    p99: ms(p99),
    requests: Number(requests[1]),
  };
}

/** Runs wrk against `url`; throws on errors or non-2xx answers. */
export async function wrk(
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
export async function spawnUntil(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  pattern: RegExp,
  cwd?: string,
): Promise<{ child: Deno.ChildProcess; match: RegExpMatchArray }> {
  const child = new Deno.Command(cmd, {
    args,
    env,
    cwd,
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

/** The benches' upstream (proxy_upstream.ts): its process, port and page size in bytes. */
export async function startUpstream(): Promise<
  { child: Deno.ChildProcess; port: number; pageBytes: number }
> {
  const up = await spawnUntil(
    Deno.execPath(),
    ["run", "--allow-net", `${HERE}proxy_upstream.ts`],
    {},
    /^(\d+) (\d+)$/m,
  );
  return {
    child: up.child,
    port: Number(up.match[1]),
    pageBytes: Number(up.match[2]),
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Starts nginx (bench/nginx_proxy.conf.template, `workers` processes) in front of
 * `upstreamPort`, injecting `tag`.
 */
export async function startNginx(
  upstreamPort: number,
  tag: string,
  workers = 1,
) {
  const prefix = await Deno.makeTempDir({ prefix: "bench_nginx_" });
  const port = freePort();
  const conf = (await Deno.readTextFile(`${HERE}nginx_proxy.conf.template`))
    .replaceAll("{{PREFIX}}", prefix)
    .replaceAll("{{PORT}}", String(port))
    .replaceAll("{{WORKERS}}", String(workers))
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

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU seconds used so far by `pid` and its direct children (nginx's or the guard's workers). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command: state ppid … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(entry.name) === pid || Number(fields[1]) === pid) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / USER_HZ;
}

/**
 * {@link wrk} plus the CPU time `pid` (and its children) spent per request meanwhile: on a
 * shared machine req/s swings with the neighbours' load, CPU per request much less.
 */
export async function wrkWithCpu(
  url: string,
  seconds: number,
  connections: number,
  cookie: string,
  pid: number,
): Promise<WrkResult> {
  const before = cpuSeconds(pid);
  const result = await wrk(url, seconds, connections, cookie);
  const used = cpuSeconds(pid) - before;
  return { ...result, cpuUs: (used / result.requests) * 1e6 };
}
