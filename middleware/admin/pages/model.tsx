/** @jsxImportSource hono/jsx */
/**
 * The overview's model section: the live model (version, data hash, metrics, importances) and
 * the candidate of `deno task adapt` with its comparison and the promote form.
 *
 * @module
 */
import type { Model } from "../../../tree/mod.ts";
import type { AdminPageContext } from "../_html.ts";
import { featureWords, num } from "../words.ts";
import { HBars } from "./charts.tsx";
import { pct, when } from "./layout.tsx";

/** A model file as the console shows it. */
export interface ModelView {
  model: Model;
  version: string;
  path: string;
}

/** The candidate as the console shows it (middleware/detect/promote.ts `Candidate`). */
export interface CandidateView {
  dir: string;
  bot: ModelView;
  humanness: ModelView | null;
  comparison: {
    group: string;
    sessions: number;
    live: number;
    candidate: number;
  }[];
  trained: Record<string, number>;
  writtenAt: Date | null;
}

/** Version, hash, metrics and top importances of one model. */
export function ModelFacts(props: { title: string; m: ModelView }) {
  const { model } = props.m;
  const mt = model.metrics;
  const top = [...model.features.keys()]
    .map((i) => ({
      label: featureWords(model.features[i]),
      value: model.importances[i],
    }))
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);
  return (
    <div>
      <h3>{props.title}</h3>
      <table>
        <tr>
          <th scope="row">version</th>
          <td class="mono">{props.m.version}</td>
        </tr>
        <tr>
          <th scope="row">file</th>
          <td class="mono">{props.m.path}</td>
        </tr>
        <tr>
          <th scope="row">kind</th>
          <td>
            {`${model.kind}, ${model.trees.length} tree(s), ${model.features.length} features`}
          </td>
        </tr>
        <tr>
          <th scope="row">training data sha256</th>
          <td class="mono">{model.dataSha256 || "unknown"}</td>
        </tr>
        <tr>
          <th scope="row">score threshold</th>
          <td>{num(model.threshold)}</td>
        </tr>
        {mt && (
          <tr>
            <th scope="row">cross-validated</th>
            <td>
              {`ROC AUC ${num(mt.rocAuc)}, precision ${
                pct(mt.precision)
              }, recall ${pct(mt.recall)}, FPR ${pct(mt.fpr, 2)} at ${
                num(mt.threshold)
              }, n ${mt.n}`}
            </td>
          </tr>
        )}
      </table>
      {top.length > 0 && (
        <HBars
          title={`Feature importances of ${props.m.version}`}
          items={top}
        />
      )}
    </div>
  );
}

/** The candidate, its comparison with the live pair, and the promote form. */
export function CandidateSection(
  props: {
    ctx: AdminPageContext;
    candidate: CandidateView | null;
    error?: string;
    dir: string;
  },
) {
  const c = props.candidate;
  if (props.error) {
    return (
      <p class="error">
        {`The candidate in ${props.dir} cannot be read: ${props.error}`}
      </p>
    );
  }
  if (c === null) {
    return (
      <p class="muted">
        {`No candidate in ${props.dir}. Run `}
        <code>deno task adapt</code>
        {" to train one on this site's trusted sessions."}
      </p>
    );
  }
  return (
    <div>
      <p>
        {`Candidate ${c.bot.version} in ${c.dir}, written ${
          when(c.writtenAt)
        }; trained on `}
        {Object.entries(c.trained).map(([k, v]) => `${k} ${v}`).join(", ")}.
      </p>
      <table>
        <caption>
          Sessions the session rule flags, live model against the candidate
        </caption>
        <tr>
          <th scope="col">sessions</th>
          <th scope="col">count</th>
          <th scope="col">live</th>
          <th scope="col">candidate</th>
        </tr>
        {c.comparison.map((r) => (
          <tr>
            <td>{r.group}</td>
            <td class="n">{r.sessions}</td>
            <td class="n">
              {`${r.live} (${pct(r.sessions ? r.live / r.sessions : null)})`}
            </td>
            <td class="n">
              {`${r.candidate} (${
                pct(r.sessions ? r.candidate / r.sessions : null)
              })`}
            </td>
          </tr>
        ))}
      </table>
      <form method="post" action={`${props.ctx.base}/model/promote`}>
        <input type="hidden" name="csrf" value={props.ctx.csrf} />
        <input type="hidden" name="version" value={c.bot.version} />
        <button type="submit">
          {`Promote candidate ${c.bot.version} to live`}
        </button>
      </form>
      <p class="muted">
        Promoting replaces the live model files atomically, as{" "}
        <code>deno task adapt --promote</code>{" "}
        does; every instance watching them reloads. Flagged "trusted humans" are
        false positives.
      </p>
    </div>
  );
}
