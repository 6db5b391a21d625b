/**
 * What the operator console needs from the running detection (middleware/admin/console.ts): the
 * mode and actions, the session rule replayed over a session's stored scores (the same pure
 * `stepEvidence` the detector runs), the serving models, and the `deno task adapt` candidate with
 * its promotion (promote.ts), after which both models reload at once.
 *
 * @module
 */
import type { ConsoleOptions } from "../admin/mod.ts";
import type { ModelSource } from "./model_source.ts";
import { promoteCandidate, readCandidate } from "./promote.ts";
import type { DetectionConfig } from "./setup.ts";
import {
  initialEvidence,
  stepEvidence,
  verdictOptionsOf,
} from "../../detect/mod.ts";

/** The console's view of the running detection (middleware/admin/console.ts). */
export function consoleOptions(
  config: DetectionConfig,
  models: ModelSource,
  humanness: ModelSource | null,
): ConsoleOptions {
  const rule = verdictOptionsOf(config);
  return {
    mode: config.mode,
    ownerAction: config.OWNER_ACTION,
    noBehaviourAction: config.NO_BEHAVIOUR_ACTION,
    evidenceThreshold: config.VERDICT_THRESHOLD,
    evidenceTrail(scores) {
      let state = initialEvidence();
      const evidence = scores.map((score) => {
        state = stepEvidence(state, score, rule);
        return state.evidence;
      });
      return { evidence, detectedAt: state.detectedAt };
    },
    models: () => ({
      live: models.current(),
      humanness: humanness?.current() ?? null,
    }),
    adaptDir: config.ADAPT_DIR,
    candidate: () => readCandidate(config.ADAPT_DIR),
    async promote() {
      const live = await promoteCandidate(config.ADAPT_DIR, {
        modelPath: config.MODEL_PATH,
        humannessPath: config.HUMANNESS_MODEL_PATH,
      });
      await models.reload();
      await humanness?.reload();
      return live;
    },
    retainRaw: config.RETAIN_RAW,
  };
}
