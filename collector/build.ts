/**
 * Builds the browser collector bundle with `deno bundle` (IIFE, minified, browser platform) and
 * caches it in collector/dist/ keyed by a hash of the sources, so a start after the first build is
 * fast. Run directly (`deno task build`) it writes the bundle and prints its raw and gzipped size.
 *
 * @module
 */

/** The served bundle: its code and the 12-hex content hash used in `/__guard/c.<hash>.js`. */
export interface CollectorBundle {
  code: string;
  hash: string;
}

/** Options of {@link buildCollectorBundle}. */
export interface BuildOptions {
  /** Cache directory path (default collector/dist). */
  cacheDir?: string;
  /** Ignore the cache and rebuild. */
  force?: boolean;
}

const HERE = new URL("./", import.meta.url);
const ENTRY = new URL("browser.ts", HERE);

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Hash of every non-test source beside the entry plus the Deno version: the cache key. */
async function sourceHash(): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(HERE)) {
    if (
      entry.isFile && entry.name.endsWith(".ts") &&
      !entry.name.endsWith("_test.ts")
    ) {
      names.push(entry.name);
    }
  }
  names.sort();
  let all = `deno ${Deno.version.deno}\n`;
  for (const name of names) {
    all += `${name}\n${await Deno.readTextFile(new URL(name, HERE))}\n`;
  }
  return (await sha256Hex(all)).slice(0, 16);
}

async function runBundler(): Promise<string> {
  const args = [
    "bundle",
    "--platform",
    "browser",
    "--format",
    "iife",
    "--minify",
    "--quiet",
  ];
  const out = await new Deno.Command("deno", {
    args: [...args, ENTRY.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(
    -5,
  ).join("\n");
  if (!out.success) {
    throw new Error(
      `Cannot build the collector bundle "${ENTRY.pathname}": deno bundle exited with code ${out.code}: ${stderr}`,
    );
  }
  const code = new TextDecoder().decode(out.stdout);
  if (code.length === 0) {
    throw new Error(
      `Cannot build the collector bundle "${ENTRY.pathname}": empty output`,
    );
  }
  return code;
}

/** Removes bundles cached for older sources. */
async function pruneCache(dir: string, keep: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (path !== keep && /^bundle\.[0-9a-f]{16}\.js$/.test(entry.name)) {
      await Deno.remove(path).catch(() => {});
    }
  }
}

/**
 * Returns the collector bundle, building it on a cache miss (needs `--allow-run=deno`).
 * A cache directory that cannot be written only costs a rebuild next time.
 */
export async function buildCollectorBundle(
  options: BuildOptions = {},
): Promise<CollectorBundle> {
  const dir = options.cacheDir ?? new URL("dist", HERE).pathname;
  const cached = `${dir}/bundle.${await sourceHash()}.js`;
  let code = options.force
    ? undefined
    : await Deno.readTextFile(cached).catch(() => undefined);
  if (code === undefined) {
    code = await runBundler();
    try {
      await Deno.mkdir(dir, { recursive: true });
      const tmp = `${cached}.${crypto.randomUUID()}.tmp`;
      await Deno.writeTextFile(tmp, code);
      await Deno.rename(tmp, cached);
      await pruneCache(dir, cached);
    } catch { /* read-only checkout: serve the fresh build anyway */ }
  }
  return { code, hash: (await sha256Hex(code)).slice(0, 12) };
}

/** Bytes of the gzipped text, as served with `content-encoding: gzip`. */
export async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

if (import.meta.main) {
  const bundle = await buildCollectorBundle({
    force: Deno.args.includes("--force"),
  });
  const path = new URL(`dist/c.${bundle.hash}.js`, HERE);
  await Deno.mkdir(new URL("dist/", HERE), { recursive: true });
  await Deno.writeTextFile(path, bundle.code);
  for await (const entry of Deno.readDir(new URL("dist/", HERE))) {
    if (
      /^c\.[0-9a-f]{12}\.js$/.test(entry.name) &&
      !path.pathname.endsWith(entry.name)
    ) {
      await Deno.remove(new URL(`dist/${entry.name}`, HERE));
    }
  }
  const raw = new TextEncoder().encode(bundle.code).length;
  console.log(
    `${path.pathname}: ${raw} bytes raw, ${await gzipSize(
      bundle.code,
    )} bytes gzipped, hash ${bundle.hash}`,
  );
}
