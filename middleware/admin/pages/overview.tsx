/** @jsxImportSource hono/jsx */
/**
 * The console's overview: readiness to enforce, traffic and sessions by verdict over time, the
 * window score distribution, what monitor mode held back, where flagged sessions went and came
 * from, the alert outbox, and the models.
 *
 * @module
 */
import {
  CONSOLE_VERDICTS,
  type FlaggedTop,
  type LabelOutcome,
  type MonitorImpact,
  type OutboxHealth,
  type ScoreHistogram,
  type TrafficBucket,
} from "../../../db/mod.ts";
import type { AdminPageContext } from "../_html.ts";
import type { Readiness } from "../readiness.ts";
import { num } from "../words.ts";
import { Histogram, Legend, type Series, StackedBars } from "./charts.tsx";
import { Layout, pct, VERDICT_COLOURS, when } from "./layout.tsx";
import {
  CandidateSection,
  type CandidateView,
  ModelFacts,
  type ModelView,
} from "./model.tsx";

/** Everything the overview shows. */
export interface OverviewData {
  mode: "monitor" | "enforce";
  ownerAction: "alert" | "logout";
  noBehaviourAction: "record" | "logout";
  range: "24h" | "7d" | "30d";
  traffic: TrafficBucket[];
  histogram: ScoreHistogram;
  impact: MonitorImpact[];
  topPaths: FlaggedTop[];
  topClients: FlaggedTop[];
  outbox: OutboxHealth[];
  outcomes: LabelOutcome[];
  readiness: Readiness;
  evidenceThreshold: number;
  live: ModelView;
  humanness: ModelView | null;
  candidate: CandidateView | null;
  candidateError?: string;
  adaptDir: string;
  /** The admin base path, for links. */
  base: string;
  notice?: string;
}

function ReadinessSection(props: { d: OverviewData }) {
  const r = props.d.readiness;
  const f = r.fpr;
  const bot = props.d.outcomes.find((o) => o.label === "bot");
  return (
    <section aria-labelledby="ready">
      <h2 id="ready">Ready to enforce?</h2>
      <p>
        {`Mode: ${props.d.mode}. `}
        <span class={r.ready ? "big ok" : "big warn"}>
          {f.n === 0
            ? "No labelled human sessions yet"
            : `Human false-positive rate ${pct(f.rate)} (95 % CI ${
              pct(f.low)
            }–${pct(f.high)})`}
        </span>
      </p>
      <p>
        {f.n > 0 && `${f.k} of ${f.n} sessions labelled human were flagged. `}
        {r.ready
          ? `Ready: the upper bound is under ${pct(r.target, 0)}.`
          : r.moreLabels === null
          ? `Not ready: too many labelled humans are flagged to get under ${
            pct(r.target, 0)
          }.`
          : `Not ready: label about ${r.moreLabels} more human sessions (none flagged) to show a rate under ${
            pct(r.target, 0)
          }.`}
        {bot && bot.sessions > 0 &&
          ` Labelled bots caught: ${bot.flagged} of ${bot.sessions}.`}
      </p>
      <p class="muted">
        Label a random sample of unflagged sessions too (
        <a href={`${props.d.base}/sessions?verdict=human&label=none`}>
          unlabelled, judged human
        </a>
        ): labelling only flagged sessions makes the rate look worse than it is.
      </p>
    </section>
  );
}

function TrafficSection(props: { d: OverviewData }) {
  const { traffic, range } = props.d;
  const unit = range === "24h" ? "hour" : "day";
  const keys = [...new Set(traffic.map((t) => t.at.toISOString()))].sort();
  const label = (k: string) =>
    unit === "hour" ? k.slice(11, 16) : k.slice(5, 10);
  const series = (field: "sessions" | "pages"): Series[] =>
    CONSOLE_VERDICTS.map((v) => ({
      name: v,
      colour: VERDICT_COLOURS[v],
      values: keys.map((k) =>
        traffic.find((t) => t.verdict === v && t.at.toISOString() === k)
          ?.[field] ?? 0
      ),
    }));
  const total = (v: string, f: "pages" | "windows") =>
    traffic.filter((t) => t.verdict === v).reduce((s, t) => s + t[f], 0);
  return (
    <section aria-labelledby="traffic">
      <h2 id="traffic">Traffic by verdict</h2>
      <p>
        {"Range: "}
        {(["24h", "7d", "30d"] as const).map((r) =>
          r === range
            ? <strong key={r}>{`${r} `}</strong>
            : <a key={r} href={`?range=${r}`}>{`${r} `}</a>
        )}
        {`(per ${unit}, UTC)`}
      </p>
      <Legend series={series("sessions")} />
      <div class="grid">
        <div>
          <h3>Sessions</h3>
          <StackedBars
            title={`Active sessions per ${unit} by verdict`}
            labels={keys.map(label)}
            series={series("sessions")}
          />
        </div>
        <div>
          <h3>Page loads</h3>
          <StackedBars
            title={`Page loads per ${unit} by verdict`}
            labels={keys.map(label)}
            series={series("pages")}
          />
        </div>
      </div>
      <table>
        <tr>
          <th scope="col">verdict</th>
          <th scope="col">page loads</th>
          <th scope="col">behaviour windows</th>
        </tr>
        {CONSOLE_VERDICTS.map((v) => (
          <tr>
            <td>
              <a href={`${props.d.base}/sessions?verdict=${v}`}>{v}</a>
            </td>
            <td class="n">{total(v, "pages")}</td>
            <td class="n">{total(v, "windows")}</td>
          </tr>
        ))}
      </table>
    </section>
  );
}

function ScoresSection(props: { d: OverviewData }) {
  const { histogram, live } = props.d;
  const colours: Record<string, string> = {
    human: VERDICT_COLOURS.human,
    bot: VERDICT_COLOURS.bot,
    unauthorized: VERDICT_COLOURS.unauthorized,
    unlabelled: "#5f6368",
  };
  const series = Object.entries(histogram.counts).map(([name, values]) => ({
    name: `${name} sessions`,
    colour: colours[name] ?? "#5f6368",
    values,
  }));
  return (
    <section aria-labelledby="scores">
      <h2 id="scores">Window score distribution</h2>
      <Legend series={series} />
      <Histogram
        title="Window scores of the bot model by session label"
        series={series}
        marks={[{
          at: live.model.threshold,
          label: `model threshold ${num(live.model.threshold)}`,
        }]}
      />
      <p class="muted">
        {`A window's score is 1 − P(human). The session rule adds clipped log-odds of each score with decay and flags a session at evidence ${
          num(props.d.evidenceThreshold)
        }.`}
      </p>
    </section>
  );
}

function ImpactSection(props: { d: OverviewData }) {
  const { impact, ownerAction, noBehaviourAction } = props.d;
  const would = (m: MonitorImpact) =>
    m.verdict === "bot"
      ? `log out ${m.sessions}`
      : m.verdict === "unverified"
      ? noBehaviourAction === "logout"
        ? `log out ${m.loggedIn} logged-in`
        : "record only (NO_BEHAVIOUR_ACTION=record)"
      : m.verdict === "unauthorized"
      ? ownerAction === "logout"
        ? `log out ${m.sessions}`
        : "alert only (OWNER_ACTION=alert)"
      : "–";
  return (
    <section aria-labelledby="impact">
      <h2 id="impact">What enforce mode would have done</h2>
      {impact.length === 0
        ? <p>No detection was held back by monitor mode in this range.</p>
        : (
          <table>
            <tr>
              <th scope="col">verdict</th>
              <th scope="col">sessions</th>
              <th scope="col">enforce would</th>
              <th scope="col">of them labelled human</th>
              <th scope="col">windows after</th>
              <th scope="col">page loads after (≈ hour)</th>
            </tr>
            {impact.map((m) => (
              <tr>
                <td>
                  <a href={`${props.d.base}/sessions?verdict=${m.verdict}`}>
                    {m.verdict}
                  </a>
                </td>
                <td class="n">{m.sessions}</td>
                <td>{would(m)}</td>
                <td class="n">{m.labelledHuman}</td>
                <td class="n">{m.windowsAfter}</td>
                <td class="n">{m.pagesAfter}</td>
              </tr>
            ))}
          </table>
        )}
    </section>
  );
}

function TopTable(
  props: { caption: string; rows: FlaggedTop[]; head: string },
) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <tr>
        <th scope="col">{props.head}</th>
        <th scope="col">flagged sessions</th>
        <th scope="col">loads</th>
      </tr>
      {props.rows.map((r) => (
        <tr>
          <td class="mono">{r.key}</td>
          <td class="n">{r.sessions}</td>
          <td class="n">{r.hits}</td>
        </tr>
      ))}
      {props.rows.length === 0 && (
        <tr>
          <td colspan={3}>none</td>
        </tr>
      )}
    </table>
  );
}

function OutboxSection(props: { outbox: OutboxHealth[] }) {
  return (
    <section aria-labelledby="outbox">
      <h2 id="outbox">Alert outbox</h2>
      {props.outbox.length === 0 ? <p>No alert yet.</p> : (
        <table>
          <tr>
            <th scope="col">channel</th>
            <th scope="col">unsent</th>
            <th scope="col">failing</th>
            <th scope="col">sent (24 h)</th>
            <th scope="col">oldest unsent</th>
            <th scope="col">most attempts</th>
            <th scope="col">last error</th>
          </tr>
          {props.outbox.map((o) => (
            <tr>
              <td>{o.channel}</td>
              <td class="n">{o.unsent}</td>
              <td class={o.failing > 0 ? "n warn" : "n"}>{o.failing}</td>
              <td class="n">{o.sentLastDay}</td>
              <td>{when(o.oldestUnsent)}</td>
              <td class="n">{o.maxAttempts}</td>
              <td class="mono">{o.lastError ?? "–"}</td>
            </tr>
          ))}
        </table>
      )}
    </section>
  );
}

/** The overview page. */
export function OverviewPage(
  props: { ctx: AdminPageContext; d: OverviewData },
) {
  const { d, ctx } = props;
  return (
    <Layout title="Overview" ctx={ctx}>
      <h1>Overview</h1>
      {d.notice && <p class="notice" role="status">{d.notice}</p>}
      <ReadinessSection d={d} />
      <TrafficSection d={d} />
      <ScoresSection d={d} />
      <ImpactSection d={d} />
      <section aria-labelledby="flagged">
        <h2 id="flagged">Where flagged sessions went, and came from</h2>
        <div class="grid">
          <TopTable
            caption="Top paths (no query strings)"
            head="path"
            rows={d.topPaths}
          />
          <TopTable
            caption="Top clients (address prefix)"
            head="client"
            rows={d.topClients}
          />
        </div>
      </section>
      <OutboxSection outbox={d.outbox} />
      <section aria-labelledby="models">
        <h2 id="models">Models</h2>
        <div class="grid">
          <ModelFacts title="Live bot model" m={d.live} />
          {d.humanness && (
            <ModelFacts title="Live humanness model" m={d.humanness} />
          )}
        </div>
        <h3>Candidate from deno task adapt</h3>
        <CandidateSection
          ctx={ctx}
          candidate={d.candidate}
          error={d.candidateError}
          dir={d.adaptDir}
        />
      </section>
    </Layout>
  );
}
