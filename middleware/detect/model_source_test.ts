import assert from "node:assert/strict";
import { FEATURE_NAMES } from "../../collector/mod.ts";
import { openModelSource } from "./model_source.ts";
import { tinyModelJson } from "./_testing.ts";

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** The same model with a different threshold: another file, another version. */
function variant(threshold: number): string {
  return JSON.stringify({ ...JSON.parse(tinyModelJson()), threshold });
}

Deno.test("openModelSource() reloads a changed file and keeps the old model on a bad one", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.json`;
  await Deno.writeTextFile(path, variant(0.5));
  const source = await openModelSource(path, {
    expectedFeatures: FEATURE_NAMES,
    sighup: false,
    debounceMs: 50,
  });
  try {
    const first = source.current();
    assert.equal(first.model.threshold, 0.5);
    assert.match(first.version, /^[0-9a-f]{12}$/);

    // Bad JSON, then a model with an unknown feature: both rejected, the old model serves.
    await Deno.writeTextFile(path, "{ not json");
    assert.equal(await source.reload(), false);
    const unknown = JSON.parse(variant(0.5));
    unknown.features[0] = "mouse_color";
    await Deno.writeTextFile(path, JSON.stringify(unknown));
    assert.equal(await source.reload(), false);
    await new Promise((r) => setTimeout(r, 300)); // the watcher's reloads fail too
    assert.equal(source.current(), first);

    // A valid file written by rename (as editors and deploy tools do) is picked up by the watcher.
    await Deno.writeTextFile(`${dir}/model.json.tmp`, variant(0.25));
    await Deno.rename(`${dir}/model.json.tmp`, path);
    assert.ok(
      await until(() => source.current().model.threshold === 0.25, 3000),
    );
    assert.notEqual(source.current().version, first.version);
  } finally {
    source.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// The reload signal is SIGHUP in production. The test sends SIGUSR2 instead: test files share one
// process under --parallel, and puppeteer closes every browser it launched on SIGHUP.
Deno.test("openModelSource() reloads on its signal", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.json`;
  await Deno.writeTextFile(path, variant(0.5));
  const source = await openModelSource(path, {
    expectedFeatures: FEATURE_NAMES,
    watch: false,
    signal: "SIGUSR2",
  });
  try {
    await Deno.writeTextFile(path, variant(0.75));
    assert.equal(source.current().model.threshold, 0.5);
    Deno.kill(Deno.pid, "SIGUSR2");
    assert.ok(
      await until(() => source.current().model.threshold === 0.75, 3000),
    );
  } finally {
    source.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openModelSource() refuses to start on an invalid model", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.json`;
  await Deno.writeTextFile(path, "[]");
  try {
    await assert.rejects(
      openModelSource(path, {
        expectedFeatures: FEATURE_NAMES,
        watch: false,
        sighup: false,
      }),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith(`Cannot load model "${path}"`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
