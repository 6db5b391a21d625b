/** @jsxImportSource hono/jsx */
/**
 * The console's session list: filters (verdict, label, user, time) as a plain GET form, one
 * keyset page at a time, and one-click labels on every row.
 *
 * @module
 */
import {
  CONSOLE_VERDICTS,
  type ConsoleSessionRow,
  LABELS,
} from "../../../db/mod.ts";
import type { AdminPageContext } from "../_html.ts";
import { num } from "../words.ts";
import { Badge, LabelButtons, Layout, when } from "./layout.tsx";

/** The list's filters as given in the query (strings, as the form sends them). */
export interface SessionFilters {
  verdict?: string;
  label?: string;
  user?: string;
  from?: string;
  to?: string;
}

function Select(
  props: {
    name: string;
    label: string;
    value?: string;
    options: readonly string[];
  },
) {
  return (
    <label>
      {`${props.label} `}
      <select name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={props.value === o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** The query string of the filters, plus extra parameters. */
export function filterQuery(
  f: SessionFilters,
  extra: Record<string, string> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) {
    if (v !== undefined && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/** The session list page. */
export function SessionsPage(
  props: {
    ctx: AdminPageContext;
    filters: SessionFilters;
    rows: ConsoleSessionRow[];
    next: { cursor: string; id: string } | null;
    notice?: string;
  },
) {
  const { ctx, filters: f } = props;
  const back = `${ctx.base}/sessions${filterQuery(f)}`;
  return (
    <Layout title="Sessions" ctx={ctx}>
      <h1>Sessions</h1>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <form
        method="get"
        action={`${ctx.base}/sessions`}
        aria-label="Filter sessions"
      >
        <Select
          name="verdict"
          label="Verdict"
          value={f.verdict}
          options={CONSOLE_VERDICTS}
        />
        <Select
          name="label"
          label="Label"
          value={f.label}
          options={[...LABELS, "none"]}
        />
        <label>
          {"User "}
          <input name="user" value={f.user ?? ""} size={12} />
        </label>
        <label>
          {"Seen from "}
          <input type="date" name="from" value={f.from ?? ""} />
        </label>
        <label>
          {"to "}
          <input type="date" name="to" value={f.to ?? ""} />
        </label>
        <button type="submit">Filter</button>{" "}
        <a href={`${ctx.base}/sessions`}>clear</a>
      </form>
      <table>
        <caption>{`${props.rows.length} session(s), last seen first`}</caption>
        <tr>
          <th scope="col">session</th>
          <th scope="col">verdict</th>
          <th scope="col">user</th>
          <th scope="col">windows</th>
          <th scope="col">max score</th>
          <th scope="col">page loads</th>
          <th scope="col">first seen</th>
          <th scope="col">last seen</th>
          <th scope="col">state</th>
          <th scope="col">label</th>
        </tr>
        {props.rows.map((s) => (
          <tr>
            <td class="mono">
              <a href={`${ctx.base}/sessions/${encodeURIComponent(s.id)}`}>
                {s.id}
              </a>
            </td>
            <td>
              <Badge verdict={s.verdict} />
            </td>
            <td>{s.userIdentity ?? "–"}</td>
            <td class="n">{s.windows}</td>
            <td class="n">{s.maxScore === null ? "–" : num(s.maxScore)}</td>
            <td class="n">{s.pages}</td>
            <td>{when(s.firstSeen)}</td>
            <td>{when(s.lastSeen)}</td>
            <td>{s.state}</td>
            <td>
              <LabelButtons
                ctx={ctx}
                session={s.id}
                current={s.label}
                back={back}
              />
            </td>
          </tr>
        ))}
      </table>
      {props.next && (
        <p>
          <a
            href={`${ctx.base}/sessions${
              filterQuery(f, { at: props.next.cursor, after: props.next.id })
            }`}
          >
            Next page
          </a>
        </p>
      )}
    </Layout>
  );
}
