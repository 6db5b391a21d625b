/** @jsxImportSource hono/jsx */
/**
 * One session in the console: facts and one-click labels, the timeline (window scores and
 * evidence against the thresholds), each detection in words with its decision path, the pages
 * it loaded, and, when raw events were kept (RETAIN_RAW), its pointer trajectory.
 *
 * @module
 */
import type { RawEvent } from "../../../collector/mod.ts";
import type { SessionDetail, SessionPage } from "../../../db/mod.ts";
import type { AdminPageContext } from "../_html.ts";
import { featureWords, isPath, num, pathWords } from "../words.ts";
import { Timeline, Trajectory } from "./charts.tsx";
import { Badge, LabelButtons, Layout, when } from "./layout.tsx";

/** What the session page shows. */
export interface SessionData {
  s: SessionDetail;
  verdict: string;
  /** Bot-model scores in order, and the session evidence after each. */
  scores: number[];
  evidence: number[];
  detectedAt: number | null;
  scoreThreshold: number;
  evidenceThreshold: number;
  pages: SessionPage[];
  /** Raw events, or null when RETAIN_RAW is off. */
  raw: RawEvent[] | null;
  notice?: string;
}

type Explanation = Record<string, unknown>;

function Detection(props: { d: SessionDetail["detections"][number] }) {
  const e = (props.d.explanation ?? {}) as Explanation;
  const n = (k: string) => typeof e[k] === "number" ? num(e[k] as number) : "?";
  const scores = Array.isArray(e.scores) ? (e.scores as number[]) : [];
  let summary: string;
  if (props.d.verdict === "unverified") {
    const rule = (e.rule ?? {}) as Explanation;
    summary = `${n("requests")} counted requests over ${
      num(Number(e.spanMs ?? 0) / 1000)
    } s with no behaviour evidence (rule: ${
      rule.requests ?? "?"
    } requests over ${num(Number(rule.graceMs ?? 0) / 1000)} s); ${
      e.loggedIn ? "logged in" : "anonymous"
    }.`;
  } else if (props.d.verdict === "unauthorized") {
    summary = `Not behaving like the account's owner ${
      String(e.identity ?? "?")
    }: evidence ${n("evidence")} ≥ ${n("threshold")} after ${
      n("windows")
    } windows.`;
  } else {
    summary = `Evidence ${n("evidence")} ≥ threshold ${n("threshold")} after ${
      n("windows")
    } windows (last scores ${scores.map(num).join(", ")}).`;
  }
  const paths = Array.isArray(e.paths)
    ? (e.paths as unknown[]).filter(isPath)
    : [];
  const top = Array.isArray(e.topFeatures)
    ? (e.topFeatures as { feature: string; importance: number }[])
    : [];
  return (
    <div>
      <h3>
        <Badge verdict={props.d.verdict} />
        {` at ${when(props.d.at)}: ${String(e.action ?? "")}`}
      </h3>
      <p>{summary}</p>
      {isPath(e.path) && e.path.length > 0 && (
        <p>
          {"Decision path of the strongest tree: "}
          <strong>{pathWords(e.path, scores.at(-1))}</strong>
        </p>
      )}
      {paths.length > 1 && (
        <details>
          <summary>{`Paths of the ${paths.length} strongest trees`}</summary>
          <ol>{paths.map((p, i) => <li key={i}>{pathWords(p)}</li>)}</ol>
        </details>
      )}
      {top.length > 0 && (
        <p>
          {"Top features: "}
          {top.map((t) => `${featureWords(t.feature)} (${num(t.importance)})`)
            .join(", ")}
        </p>
      )}
      <details>
        <summary>Stored explanation (JSON)</summary>
        <pre>{JSON.stringify(props.d.explanation, null, 2)}</pre>
      </details>
    </div>
  );
}

function trajectoryPoints(raw: RawEvent[]) {
  return raw.flatMap((e) => {
    const p = e as unknown as {
      t: number;
      kind: string;
      x?: number;
      y?: number;
    };
    if (
      (p.kind === "move" || p.kind === "down") && Number.isFinite(p.x) &&
      Number.isFinite(p.y)
    ) {
      return [{ t: p.t, x: p.x!, y: p.y!, click: p.kind === "down" }];
    }
    return [];
  });
}

/** The session page. */
export function SessionPageView(
  props: { ctx: AdminPageContext; data: SessionData },
) {
  const { ctx, data: d } = props;
  const { s } = d;
  const points = d.raw === null ? [] : trajectoryPoints(d.raw);
  const self = `${ctx.base}/sessions/${encodeURIComponent(s.id)}`;
  return (
    <Layout title={`Session ${s.id}`} ctx={ctx}>
      <h1>{`Session ${s.id}`}</h1>
      {d.notice && <p class="notice" role="status">{d.notice}</p>}
      <p>
        <Badge verdict={d.verdict} />
        {` State ${s.state}${
          s.revokedReason ? ` (${s.revokedReason})` : ""
        }. User ${s.userIdentity ?? "unknown"}. First seen ${
          when(s.firstSeen)
        }, last seen ${when(s.lastSeen)}. ${s.windowCount} windows.`}
      </p>
      <p>
        {`Label: ${s.label ?? "none"}. Set it: `}
        <LabelButtons ctx={ctx} session={s.id} current={s.label} back={self} />
      </p>
      <h2>Timeline</h2>
      {d.scores.length === 0 ? <p>No window was scored.</p> : (
        <Timeline
          scores={d.scores}
          evidence={d.evidence}
          scoreThreshold={d.scoreThreshold}
          evidenceThreshold={d.evidenceThreshold}
          detectedAt={d.detectedAt}
        />
      )}
      <h2>Detections</h2>
      {s.detections.length === 0
        ? <p>None.</p>
        : s.detections.map((det, i) => <Detection key={i} d={det} />)}
      <h2>Pages loaded</h2>
      {d.pages.length === 0 ? <p>None recorded.</p> : (
        <table>
          <tr>
            <th scope="col">path</th>
            <th scope="col">client</th>
            <th scope="col">loads</th>
            <th scope="col">first hour</th>
            <th scope="col">last load</th>
          </tr>
          {d.pages.map((p) => (
            <tr>
              <td class="mono">{p.path}</td>
              <td class="mono">{p.client}</td>
              <td class="n">{p.hits}</td>
              <td>{when(p.firstHour)}</td>
              <td>{when(p.lastAt)}</td>
            </tr>
          ))}
        </table>
      )}
      <h2>Pointer trajectory</h2>
      {d.raw === null
        ? <p class="muted">Raw events are not kept (RETAIN_RAW=false).</p>
        : points.length === 0
        ? <p>No pointer events kept for this session.</p>
        : <Trajectory points={points} />}
      <h2>Window scores</h2>
      <table>
        <tr>
          <th scope="col">seq</th>
          <th scope="col">score</th>
          <th scope="col">verdict</th>
          <th scope="col">model</th>
          <th scope="col">at</th>
        </tr>
        {s.scores.map((r) => (
          <tr>
            <td class="n">{r.seq}</td>
            <td class="n">{num(r.score)}</td>
            <td>{r.verdict}</td>
            <td class="mono">{r.modelVersion}</td>
            <td>{when(r.at)}</td>
          </tr>
        ))}
      </table>
    </Layout>
  );
}
