/**
 * The served model, reloaded when its file changes (Deno.watchFs, debounced) or on SIGHUP. A new
 * file is validated first (`loadModel`, and every model feature must be one of FEATURE_NAMES); a
 * bad one is logged and rejected, and the old model keeps serving.
 *
 * The parent directory is watched, not the file: editors and `mv` replace the file (a new inode),
 * which a watch on the old file would never report.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { log } from "../../log.ts";
import { loadModel, type Model } from "../../tree/mod.ts";

/** A loaded model and where it came from. */
export interface LoadedModel {
  model: Model;
  /** First 12 hex digits of the sha256 of the model file: recorded with every score. */
  version: string;
  path: string;
}

/** Options of {@link openModelSource}. */
export interface ModelSourceOptions {
  /** Features a model may use (FEATURE_NAMES); a model using a subset of them is accepted. */
  expectedFeatures: readonly string[];
  /** Reload on file changes (default true). */
  watch?: boolean;
  /** Reload on SIGHUP (default true). */
  sighup?: boolean;
  /** The reload signal (default SIGHUP); tests use another, since puppeteer closes its browsers on SIGHUP. */
  signal?: Deno.Signal;
  /** Quiet time after the last change before reloading, in ms (default 200). */
  debounceMs?: number;
}

/** The current model, and its reload machinery. */
export interface ModelSource {
  current(): LoadedModel;
  /** Reads and validates the file; true when the new model now serves. Never throws. */
  reload(): Promise<boolean>;
  /** Stops watching and listening for SIGHUP. */
  close(): void;
}

/** A model file's version: the first 12 hex digits of the sha256 of its bytes. */
export async function modelVersion(
  bytes: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function readModel(
  path: string,
  expected: readonly string[],
): Promise<LoadedModel> {
  const bytes = await Deno.readFile(path);
  const version = await modelVersion(bytes);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new SyntaxError(
      `Cannot load model "${path}": ${(error as Error).message}`,
    );
  }
  // A model may use a subset of the features (the data engineer can train with --drop); rows are
  // built by name (detector.ts), so only unknown features are an error.
  const model = loadModel(json, path);
  for (const feature of model.features) {
    if (!expected.includes(feature)) {
      throw new TypeError(
        `Cannot load model "${path}": feature "${feature}" is not in the expected feature list`,
      );
    }
  }
  return { model, version, path };
}

/**
 * Loads the model at `path` and keeps it fresh.
 *
 * @throws the loader's error when the first load fails (the guard should not start without a model)
 */
export async function openModelSource(
  path: string,
  options: ModelSourceOptions,
): Promise<ModelSource> {
  let loaded = await readModel(path, options.expectedFeatures);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: Deno.FsWatcher | undefined;
  let closed = false;

  async function reload(): Promise<boolean> {
    try {
      const next = await readModel(path, options.expectedFeatures);
      if (next.version !== loaded.version) {
        log("info", "model reloaded", { path, version: next.version });
      }
      loaded = next;
      return true;
    } catch (error) {
      log("error", "model reload rejected; the previous model keeps serving", {
        path,
        version: loaded.version,
        error,
      });
      return false;
    }
  }

  const onSighup = () => void reload();
  const signal = options.signal ?? "SIGHUP";
  if (options.sighup ?? true) Deno.addSignalListener(signal, onSighup);

  if (options.watch ?? true) {
    const absolute = resolve(path);
    const name = basename(absolute);
    watcher = Deno.watchFs(dirname(absolute), { recursive: false });
    (async () => {
      for await (const event of watcher!) {
        if (!event.paths.some((p) => basename(p) === name)) continue;
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (!closed) void reload();
        }, options.debounceMs ?? 200);
      }
    })().catch((error) => log("warn", "model watch ended", { path, error }));
  }

  return {
    current: () => loaded,
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      if (options.sighup ?? true) {
        Deno.removeSignalListener(signal, onSighup);
      }
    },
  };
}
