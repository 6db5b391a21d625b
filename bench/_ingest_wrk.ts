/**
 * The wrk load of bench/ingest.ts (`--wrk SECONDS`): 1,000 signed sessions with their page
 * tokens in a file, one post body, bench/ingest_wrk.lua, and wrk's summary parsed.
 *
 * @module
 */
import {
  createGuardSigner,
  GUARD_COOKIE,
  type PageTokens,
} from "../middleware/session/mod.ts";

/** Page tokens are issued this long before the run, so a session's windows fit its page's age. */
export const PAGE_AGE_MS = 11 * 3_600_000;

/** Options of {@link wrkLoad}. */
export interface WrkOptions {
  /** wrk connections. */
  concurrency: number;
  /** The post body (its seq, times and page are rewritten per request by the Lua script). */
  body: string;
  /** The guard's HMAC secret, to sign the sessions' cookies. */
  secret: string;
  pageTokens: PageTokens;
}

/** With `--wrk SECONDS`: wrk drives the load (2 threads, C connections); parses its summary. */
export async function wrkLoad(
  url: string,
  seconds: number,
  options: WrkOptions,
) {
  const { concurrency: C, body, secret, pageTokens } = options;
  const dir = await Deno.makeTempDir();
  const signer = createGuardSigner(secret);
  const lines: string[] = [];
  for (const tid of [1, 2]) {
    for (let k = 0; k < 500; k++) {
      const id = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
      const page = await pageTokens.issue(id, Date.now() - PAGE_AGE_MS);
      lines.push(`${tid} ${GUARD_COOKIE}=${await signer.sign(id)} ${page}`);
    }
  }
  await Deno.writeTextFile(`${dir}/cookies`, lines.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/body`, body);
  const script = new URL("./ingest_wrk.lua", import.meta.url).pathname;
  const out = await new Deno.Command("wrk", {
    args: ["-t2", `-c${C}`, `-d${seconds}s`, "--latency", "-s", script, url],
    env: {
      GUARD_BENCH_COOKIES: `${dir}/cookies`,
      GUARD_BENCH_BODY: `${dir}/body`,
    },
  }).output();
  await Deno.remove(dir, { recursive: true });
  const text = new TextDecoder().decode(out.stdout);
  const num = (re: RegExp) => Number(text.match(re)?.[1] ?? NaN);
  const ms = (re: RegExp) => {
    const m = text.match(re);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === "s" ? 1000 : m[2] === "us" ? 0.001 : 1);
  };
  return {
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    p50: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
  };
}
