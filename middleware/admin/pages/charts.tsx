/** @jsxImportSource hono/jsx */
/**
 * Inline SVG charts of the console, server-rendered: no script, no charting library (a library
 * would add a client bundle to a page that needs five shapes). Each chart is an image with a
 * title and description for screen readers; the pages put the numbers in tables beside them.
 *
 * @module
 */
import { num } from "../words.ts";

/** One series of a stacked bar chart. */
export interface Series {
  name: string;
  colour: string;
  values: number[];
}

const W = 640;

/** Stacked bars: one bar per label, one segment per series. */
export function StackedBars(
  props: { title: string; labels: string[]; series: Series[]; height?: number },
) {
  const h = props.height ?? 180;
  const n = Math.max(1, props.labels.length);
  const totals = props.labels.map((_, i) =>
    props.series.reduce((s, x) => s + (x.values[i] ?? 0), 0)
  );
  const max = Math.max(1, ...totals);
  const bw = (W - 40) / n;
  const y = (v: number) => (h - 20) * v / max;
  return (
    <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      <text x="0" y="10" font-size="10">{num(max)}</text>
      <line x1="30" y1={h - 20} x2={W} y2={h - 20} stroke="#888" />
      {props.labels.map((label, i) => {
        let base = h - 20;
        return (
          <g>
            {props.series.map((s) => {
              const v = s.values[i] ?? 0;
              const hh = y(v);
              base -= hh;
              return v > 0
                ? (
                  <rect
                    x={32 + i * bw}
                    y={base}
                    width={Math.max(1, bw - 2)}
                    height={hh}
                    fill={s.colour}
                  >
                    <title>{`${label} ${s.name}: ${v}`}</title>
                  </rect>
                )
                : null;
            })}
            {(n <= 12 || i % Math.ceil(n / 12) === 0) && (
              <text x={32 + i * bw} y={h - 6} font-size="9">{label}</text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** A legend of series colours. */
export function Legend(props: { series: { name: string; colour: string }[] }) {
  return (
    <p class="legend">
      {props.series.map((s) => (
        <span>
          <span class="swatch" style={`background:${s.colour}`} />
          {s.name}
        </span>
      ))}
    </p>
  );
}

/** A histogram of [0, 1] with vertical marks (thresholds). */
export function Histogram(
  props: {
    title: string;
    series: Series[];
    marks: { at: number; label: string }[];
  },
) {
  const h = 160;
  const bins = props.series[0]?.values.length ?? 1;
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const bw = (W - 40) / bins;
  const x = (v: number) => 32 + v * (W - 40);
  return (
    <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      <line x1="30" y1={h - 20} x2={W} y2={h - 20} stroke="#888" />
      {props.series.map((s, k) =>
        s.values.map((v, i) =>
          v > 0 && (
            <rect
              x={32 + i * bw + k * (bw / props.series.length)}
              y={h - 20 - (h - 30) * v / max}
              width={Math.max(1, bw / props.series.length - 1)}
              height={(h - 30) * v / max}
              fill={s.colour}
            >
              <title>
                {`${s.name} ${num(i / bins)}–${num((i + 1) / bins)}: ${v}`}
              </title>
            </rect>
          )
        )
      )}
      {props.marks.map((m) => (
        <g>
          <line
            x1={x(m.at)}
            y1="8"
            x2={x(m.at)}
            y2={h - 20}
            stroke="#1f1f1f"
            stroke-dasharray="4 3"
          />
          <text x={x(m.at) + 3} y="16" font-size="10">{m.label}</text>
        </g>
      ))}
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <text x={x(t) - 6} y={h - 6} font-size="9">{String(t)}</text>
      ))}
    </svg>
  );
}

/** Horizontal bars (importances, shares), longest first as given. */
export function HBars(
  props: { title: string; items: { label: string; value: number }[] },
) {
  const row = 16;
  const h = props.items.length * row + 4;
  const max = Math.max(1e-9, ...props.items.map((i) => i.value));
  return (
    <svg
      width={W}
      viewBox={`0 0 ${W} ${h}`}
      role="img"
      aria-label={props.title}
    >
      <title>{props.title}</title>
      {props.items.map((item, i) => (
        <g>
          <text x="0" y={i * row + 12} font-size="11">{item.label}</text>
          <rect
            x="260"
            y={i * row + 3}
            width={320 * item.value / max}
            height={row - 5}
            fill="#2f5d9b"
          />
          <text
            x={264 + 320 * item.value / max}
            y={i * row + 12}
            font-size="10"
          >
            {num(item.value)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/**
 * A session's timeline: each window's score (bars, against the model threshold) and the
 * session's evidence after it (line, against VERDICT_THRESHOLD), the detection marked.
 */
export function Timeline(
  props: {
    scores: number[];
    evidence: number[];
    scoreThreshold: number;
    evidenceThreshold: number;
    detectedAt: number | null;
  },
) {
  const h = 200;
  const n = Math.max(1, props.scores.length);
  const bw = (W - 60) / n;
  const top = 10;
  const base = h - 24;
  const ys = (s: number) => base - (base - top) * s;
  const lo = Math.min(-5, ...props.evidence);
  const hi = Math.max(props.evidenceThreshold + 1, ...props.evidence);
  const ye = (e: number) => base - (base - top) * (e - lo) / (hi - lo);
  const cx = (i: number) => 40 + i * bw + bw / 2;
  const line = props.evidence.map((e, i) => `${cx(i)},${ye(e)}`).join(" ");
  return (
    <svg
      viewBox={`0 0 ${W} ${h}`}
      role="img"
      aria-label={`Timeline of ${props.scores.length} window scores and the session evidence`}
    >
      <title>Window scores (bars) and session evidence (line)</title>
      <line x1="38" y1={base} x2={W} y2={base} stroke="#888" />
      {props.scores.map((s, i) => (
        <rect
          x={40 + i * bw}
          y={ys(s)}
          width={Math.max(1, bw - 2)}
          height={base - ys(s)}
          fill={s >= props.scoreThreshold ? "#e8a09b" : "#a8c8a8"}
        >
          <title>
            {`window ${i + 1}: score ${num(s)}, evidence ${
              num(props.evidence[i])
            }`}
          </title>
        </rect>
      ))}
      <line
        x1="38"
        y1={ys(props.scoreThreshold)}
        x2={W}
        y2={ys(props.scoreThreshold)}
        stroke="#b3261e"
        stroke-dasharray="2 3"
      />
      <text x="0" y={ys(props.scoreThreshold) + 3} font-size="9">
        {`score ${num(props.scoreThreshold)}`}
      </text>
      <line
        x1="38"
        y1={ye(props.evidenceThreshold)}
        x2={W}
        y2={ye(props.evidenceThreshold)}
        stroke="#1f2937"
        stroke-dasharray="6 3"
      />
      <text x="0" y={ye(props.evidenceThreshold) + 3} font-size="9">
        {`E ${num(props.evidenceThreshold)}`}
      </text>
      <polyline points={line} fill="none" stroke="#1f2937" stroke-width="2" />
      {props.detectedAt !== null && (
        <g>
          <line
            x1={cx(props.detectedAt - 1)}
            y1={top}
            x2={cx(props.detectedAt - 1)}
            y2={base}
            stroke="#b3261e"
            stroke-width="2"
          />
          <text x={cx(props.detectedAt - 1) + 4} y={top + 8} font-size="10">
            {`flagged at window ${props.detectedAt}`}
          </text>
        </g>
      )}
      <text x="40" y={h - 6} font-size="9">window 1</text>
      <text x={W - 60} y={h - 6} font-size="9">
        {`window ${props.scores.length}`}
      </text>
    </svg>
  );
}

/** A pointer trajectory: moves as polylines (a new one after a pause > 1 s), clicks as dots. */
export function Trajectory(
  props: { points: { t: number; x: number; y: number; click: boolean }[] },
) {
  const pts = props.points;
  const maxX = Math.max(100, ...pts.map((p) => p.x));
  const maxY = Math.max(100, ...pts.map((p) => p.y));
  const k = Math.min((W - 10) / maxX, 360 / maxY);
  const strokes: string[][] = [];
  let last = -Infinity;
  for (const p of pts) {
    if (p.click) continue;
    if (p.t - last > 1000 || strokes.length === 0) strokes.push([]);
    strokes[strokes.length - 1].push(`${5 + p.x * k},${5 + p.y * k}`);
    last = p.t;
  }
  const h = Math.ceil(maxY * k + 10);
  return (
    <svg
      viewBox={`0 0 ${W} ${h}`}
      role="img"
      aria-label={`Pointer trajectory of ${pts.length} events`}
    >
      <title>Pointer trajectory in viewport pixels</title>
      <rect
        x="5"
        y="5"
        width={maxX * k}
        height={maxY * k}
        fill="none"
        stroke="#ccc"
      />
      {strokes.map((s) => (
        <polyline
          points={s.join(" ")}
          fill="none"
          stroke="#2f5d9b"
          stroke-width="1.2"
        />
      ))}
      {pts.filter((p) => p.click).map((p) => (
        <circle cx={5 + p.x * k} cy={5 + p.y * k} r="3.5" fill="#b3261e" />
      ))}
    </svg>
  );
}
