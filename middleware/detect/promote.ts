/**
 * The candidate of `deno task adapt` (a directory with model.json, humanness.json, report.json)
 * and its promotion: the one atomic replace used by `deno task adapt --promote` and the console's
 * promote button. The candidate is validated before anything is replaced, and each live file is
 * replaced by a rename, so the guard's reload (model_source.ts) never reads half a file.
 *
 * @module
 */
import { join } from "node:path";
import { loadModel, type Model } from "../../tree/mod.ts";
import { modelVersion } from "./model_source.ts";

/** A model file as the console describes it. */
export interface ModelFile {
  model: Model;
  version: string;
  path: string;
}

/** One row of the adapt report's comparison (adapt.ts `Comparison`). */
export interface CandidateComparison {
  group: string;
  sessions: number;
  live: number;
  candidate: number;
}

/** A candidate on disk. */
export interface Candidate {
  dir: string;
  bot: ModelFile;
  humanness: ModelFile | null;
  comparison: CandidateComparison[];
  trained: Record<string, number>;
  /** When report.json was written. */
  writtenAt: Date | null;
}

async function readModelFile(path: string): Promise<ModelFile> {
  const bytes = await Deno.readFile(path);
  const model = loadModel(JSON.parse(new TextDecoder().decode(bytes)), path);
  return { model, version: await modelVersion(bytes), path };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * The candidate in `dir`, or null when it holds no report.json.
 *
 * @throws SyntaxError or TypeError when the report or a model is malformed
 */
export async function readCandidate(dir: string): Promise<Candidate | null> {
  const reportPath = join(dir, "report.json");
  if (!await exists(reportPath)) return null;
  const report = JSON.parse(await Deno.readTextFile(reportPath));
  const comparison = Array.isArray(report?.comparison)
    ? (report.comparison as CandidateComparison[]).filter((c) =>
      typeof c?.group === "string" && Number.isFinite(c.sessions) &&
      Number.isFinite(c.live) && Number.isFinite(c.candidate)
    )
    : [];
  const trained: Record<string, number> = {};
  for (const [k, v] of Object.entries(report?.trained ?? {})) {
    if (typeof v === "number") trained[k] = v;
  }
  const humannessPath = join(dir, "humanness.json");
  return {
    dir,
    bot: await readModelFile(join(dir, "model.json")),
    humanness: await exists(humannessPath)
      ? await readModelFile(humannessPath)
      : null,
    comparison,
    trained,
    writtenAt: (await Deno.stat(reportPath)).mtime,
  };
}

/** Options of {@link promoteCandidate}. */
export interface PromoteOptions {
  /** MODEL_PATH. */
  modelPath: string;
  /** HUMANNESS_MODEL_PATH; empty: the humanness model is not promoted. */
  humannessPath: string;
}

/** Copies `from` over `to` atomically (write beside, then rename). */
async function replaceFile(from: string, to: string): Promise<void> {
  const tmp = `${to}.promote-${Deno.pid}`;
  await Deno.copyFile(from, tmp);
  await Deno.rename(tmp, to);
}

/**
 * Validates the candidate in `dir` (each model loads), then replaces MODEL_PATH and, when set
 * and present, HUMANNESS_MODEL_PATH with it.
 *
 * @returns the live paths replaced
 */
export async function promoteCandidate(
  dir: string,
  options: PromoteOptions,
): Promise<string[]> {
  const bot = join(dir, "model.json");
  const humanness = join(dir, "humanness.json");
  await readModelFile(bot);
  const withHumanness = options.humannessPath !== "" && await exists(humanness);
  if (withHumanness) await readModelFile(humanness);
  await replaceFile(bot, options.modelPath);
  if (!withHumanness) return [options.modelPath];
  await replaceFile(humanness, options.humannessPath);
  return [options.modelPath, options.humannessPath];
}
