import assert from "node:assert/strict";
import { buildCollectorBundle, gzipSize } from "./build.ts";

async function sha12(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("").slice(0, 12);
}

Deno.test("buildCollectorBundle() builds a small IIFE, caches it by source hash, and prunes stale entries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "collector_build_" });
  try {
    await Deno.writeTextFile(`${dir}/bundle.0123456789abcdef.js`, "stale");
    const built = await buildCollectorBundle({ cacheDir: dir });
    assert.equal(built.hash, await sha12(built.code));
    assert.ok(built.code.startsWith("(()=>{"), built.code.slice(0, 20));
    assert.equal(
      /\bzod\b|FEATURE_NAMES|import\s*\(|\bexport\b/.test(built.code),
      false,
    );
    assert.ok(
      await gzipSize(built.code) <= 3 * 1024,
      "gzipped bundle over 3 KB",
    );
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0], /^bundle\.[0-9a-f]{16}\.js$/);
    // A second build reads the cache: prove it by planting a marker in the cached file.
    await Deno.writeTextFile(`${dir}/${files[0]}`, "/*cached*/");
    assert.deepEqual(await buildCollectorBundle({ cacheDir: dir }), {
      code: "/*cached*/",
      hash: await sha12("/*cached*/"),
    });
    assert.equal(
      (await buildCollectorBundle({ cacheDir: dir, force: true })).code,
      built.code,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gzipSize() measures gzip bytes", async () => {
  const size = await gzipSize("a".repeat(10_000));
  assert.ok(size > 18 && size < 100, String(size));
});
