/**
 * A text rendering of a model's trees, in the style of scikit-learn's `export_text`.
 *
 * @module
 */
import type { FlatTree, Model } from "./types.ts";

function fmt(x: number): string {
  return x === Infinity ? "inf" : Number(x.toPrecision(6)).toString();
}

function leafText(model: Model, t: FlatTree, node: number): string {
  const C = model.classes.length;
  let best = 0;
  for (let c = 1; c < C; c++) {
    if (t.proba[node * C + c] > t.proba[node * C + best]) best = c;
  }
  const p = model.classes.map((c, k) => `${c}=${fmt(t.proba[node * C + k])}`)
    .join(" ");
  return `class: ${model.classes[best]} (${p}; n=${t.nSamples[node]})`;
}

function renderOne(model: Model, t: FlatTree): string[] {
  const lines: string[] = [];
  const stack: [number, number, string][] = [[0, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, head] = stack.pop()!;
    const indent = "|   ".repeat(depth);
    if (head !== "") lines.push(`${indent}|--- ${head}`);
    const inner = "|   ".repeat(depth + (head !== "" ? 1 : 0));
    if (t.feature[node] < 0) {
      lines.push(`${inner}|--- ${leafText(model, t, node)}`);
      continue;
    }
    const name = model.features[t.feature[node]];
    const nan = t.nanLeft[node] === 1 ? " or missing" : "";
    const nanR = t.nanLeft[node] === 1 ? "" : " or missing";
    const d = depth + (head !== "" ? 1 : 0);
    stack.push([
      t.right[node],
      d,
      `${name} >  ${fmt(t.threshold[node])}${nanR}`,
    ]);
    stack.push([t.left[node], d, `${name} <= ${fmt(t.threshold[node])}${nan}`]);
  }
  return lines;
}

/** The trees as indented text (`|--- feature <= threshold`), one block per tree of a forest. */
export function renderTree(model: Model, maxTrees = Infinity): string {
  const out: string[] = [];
  const shown = model.trees.slice(0, maxTrees);
  shown.forEach((t, i) => {
    if (model.trees.length > 1) {
      out.push(`Tree ${i + 1} of ${model.trees.length}`);
    }
    out.push(...renderOne(model, t));
  });
  if (shown.length < model.trees.length) {
    out.push(`... ${model.trees.length - shown.length} more trees`);
  }
  return out.join("\n") + "\n";
}
