/**
 * The decisions: pure functions of evidence, which the guard's HTTP layer (middleware/detect),
 * `deno task replay` and the evaluation (sim/) all call, so what is measured is what runs. Window
 * judgement (integrity signals, replayed fingerprints, typing rhythm, the route to the model), the
 * mouse model's score and explanation, the session rule (decayed log-odds and the positive-evidence
 * run), the silence rule, the owner check's verifier, and site adaptation's trust filters and
 * comparison. Nothing here touches HTTP, SQL or the clock: state goes in and comes out.
 *
 * Why a folder of its own: detection outgrew middleware/ (STYLE.md), and the evaluation had come to
 * import the HTTP layer to re-create decisions; now both import the decisions.
 *
 * @example
 * ```ts
 * import { sessionVerdict } from "./mod.ts";
 * sessionVerdict([0.99, 0.99, 0.99], { threshold: 2, minWindows: 3, decay: 0.8 }).verdict; // "bot"
 * ```
 *
 * @module
 */
export * from "./verdict.ts";
export * from "./events.ts";
export * from "./integrity.ts";
export * from "./typing.ts";
export * from "./replay_index.ts";
export * from "./window_judge.ts";
export * from "./model_score.ts";
export * from "./silence.ts";
export * from "./verifier.ts";
export * from "./owner_model.ts";
export * from "./adapt.ts";
