/**
 * The open-set experiments: bot families withheld from training in turn (leave-one-family-out)
 * and human sources withheld in turn (leave-one-source-out), judged per session. Models go through
 * tree/mod.ts; the session rules are the guard's own (middleware/detect/mod.ts).
 */
import { FEATURE_NAMES } from "../../collector/mod.ts";
import {
  backgroundRows,
  datasetFromRows,
  type Model,
  predictProba,
  trainForest,
} from "../../tree/mod.ts";
import { HUMANNESS_BACKGROUND } from "../../detect/mod.ts";
import { drawDevice, throughDevice } from "../bots/augment.ts";
import {
  type DatasetRow,
  familyRows,
  listFiles,
  readRecording,
  sessionRows,
} from "../dataset/dataset.ts";
import { createRng, deriveSeed } from "../bots/prng.ts";

export { familyRows };
import { TREE_OPTIONS } from "./_experiments.ts";

/** Scores of one window from both models. */
export interface WindowScores {
  /** 1 − P(human) of the bot model. */
  bot: number;
  /** P(human) of the humanness model (humans against a reference background). */
  human: number;
}

/** The models of one experiment, as scorers over rows. */
export interface OpenModels {
  score(rows: readonly DatasetRow[]): WindowScores[];
  bot: Model;
  humanness: Model;
}

/** Features kept: every name not in `drop`. */
export function keptFeatures(drop: readonly string[]): string[] {
  return FEATURE_NAMES.filter((n) => !drop.includes(n));
}

/** Trains the bot model (humans vs bots) and the humanness model (humans vs background). */
export function trainOpenModels(
  train: readonly DatasetRow[],
  o: { drop: readonly string[]; trees: number; seed: number },
): OpenModels {
  const names = keptFeatures(o.drop);
  const idx = names.map((n) => (FEATURE_NAMES as readonly string[]).indexOf(n));
  const pick = (r: DatasetRow) => idx.map((i) => r.features[i]);
  const forest = {
    ...TREE_OPTIONS,
    trees: o.trees,
    maxFeatures: "sqrt" as const,
  };
  const bot = trainForest(
    datasetFromRows(names, train.map(pick), train.map((r) => r.label)),
    forest,
  );
  const humans = train.filter((r) => r.label === "human").map(pick);
  const humanness = trainHumanness(names, humans, o);
  const hb = bot.classes.indexOf("human");
  const hh = humanness.classes.indexOf("human");
  return {
    bot,
    humanness,
    score: (rows) =>
      rows.map((r) => {
        const x = pick(r);
        return {
          bot: 1 - predictProba(bot, x)[hb],
          human: predictProba(humanness, x)[hh],
        };
      }),
  };
}

/** The humanness model: human rows against as many background rows (tree/background.ts). */
export function trainHumanness(
  names: readonly string[],
  humans: readonly number[][],
  o: { trees: number; seed: number },
): Model {
  const { uniformShare, floor } = HUMANNESS_BACKGROUND;
  const bg = backgroundRows(humans, {
    n: humans.length,
    seed: o.seed,
    uniformShare,
    floor: names.map(() => floor),
  });
  return trainForest(
    datasetFromRows(
      [...names],
      [...humans, ...bg],
      [...humans.map(() => "human"), ...bg.map(() => "background")],
    ),
    { ...TREE_OPTIONS, trees: o.trees, maxFeatures: "sqrt" },
  );
}

/**
 * Human rows of every recording under `root` (SapiMouse, Balabit), each session also seen through
 * `copies` randomised devices (sim/bots/augment.ts). Augmented rows carry `source` "augmented" and the
 * person's group, so a person never straddles train and test; experiments train on them and test
 * on the recordings as they are.
 */
export async function humanRowsAugmented(
  root: string,
  copies: number,
  seed: number,
): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  const sets = [
    ["sapimouse", `${root}/sapimouse/raw`, /^session_.*\.csv$/],
    ["balabit", `${root}/balabit-mouse-challenge/training_files`, /^session_/],
  ] as const;
  const opts = { maxWindows: 40, minPointerEvents: 1 };
  for (const [source, dir, match] of sets) {
    for (const path of await listFiles(dir, match)) {
      const parts = path.split("/");
      const group = `${source}/${parts.at(-2)}`;
      const session = `${group}/${parts.at(-1)!.replace(/\.csv$/, "")}`;
      const events = await readRecording(path, session);
      const meta = { label: "human" as const, kind: source, group };
      rows.push(...sessionRows(events, { ...meta, session, source }, opts));
      const rng = createRng(deriveSeed(seed, session));
      for (let c = 0; c < copies; c++) {
        const copy = throughDevice(events, drawDevice(rng));
        rows.push(
          ...sessionRows(copy, {
            ...meta,
            session: `${session}#${c + 1}`,
            source: "augmented",
          }, { ...opts, maxWindows: 20 }),
        );
      }
    }
  }
  return rows;
}
