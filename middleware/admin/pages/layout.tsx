/** @jsxImportSource hono/jsx */
/**
 * The console's page frame: navigation, the logout form, the CSRF `<meta>`, styles (no script:
 * every page works without client JS), and small shared pieces (verdict badges, label buttons).
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { type AdminPageContext, escapeHtml } from "../_html.ts";

/** Colours of the verdicts, each ≥ 4.5:1 against white (WCAG AA text contrast). */
export const VERDICT_COLOURS: Record<string, string> = {
  human: "#1b6e34",
  bot: "#b3261e",
  unverified: "#8a5200",
  unauthorized: "#6a3fa0",
  pending: "#5f6368",
};

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1f1f1f;background:#fff}
header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#1f2937;color:#fff}
header a{color:#fff}header nav{display:flex;gap:1.2em;flex:1}
header form{margin:0}main{padding:1em 1.5em;max-width:1200px}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .5em;border-radius:.8em;color:#fff;font-size:.9em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:0 2em}
.big{font-size:1.6em;font-weight:600}.ok{color:#1b6e34}.warn{color:#b3261e}.muted{color:#555}
form.inline{display:inline}button{font:inherit;padding:.15em .6em;cursor:pointer}
svg{max-width:100%;height:auto}code,.mono{font-family:ui-monospace,monospace;font-size:.92em}
.legend span{margin-right:1em}.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
label{margin-right:1em}details{margin:.4em 0}.notice{background:#eef6ee;border:1px solid #1b6e34;padding:.4em .8em}
.error{background:#fbeaea;border:1px solid #b3261e;padding:.4em .8em}
`;

/** A page of the console. */
export function Layout(
  props: { title: string; ctx?: AdminPageContext; children?: Child },
) {
  const { ctx } = props;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          {ctx && raw(
            `<meta name="guard-csrf" content="${escapeHtml(ctx.csrf)}">`,
          )}
          <title>{props.title} · guard console</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <header>
            <nav aria-label="Console">
              <strong>guard console</strong>
              {ctx && <a href={`${ctx.base}/`}>Overview</a>}
              {ctx && <a href={`${ctx.base}/sessions`}>Sessions</a>}
            </nav>
            {ctx && (
              <form method="post" action={`${ctx.base}/logout`}>
                <input type="hidden" name="csrf" value={ctx.csrf} />
                <button type="submit">Log out</button>
              </form>
            )}
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}

/** A verdict as a coloured badge. */
export function Badge(props: { verdict: string }) {
  return (
    <span
      class="badge"
      style={`background:${VERDICT_COLOURS[props.verdict] ?? "#5f6368"}`}
    >
      {props.verdict}
    </span>
  );
}

/** One-click label buttons: a form post carrying the CSRF token, back to `back`. */
export function LabelButtons(
  props: {
    ctx: AdminPageContext;
    session: string;
    current: string | null;
    back: string;
  },
) {
  const { ctx } = props;
  return (
    <form
      class="inline"
      method="post"
      action={`${ctx.base}/sessions/${
        encodeURIComponent(props.session)
      }/label-form`}
    >
      <input type="hidden" name="csrf" value={ctx.csrf} />
      <input type="hidden" name="back" value={props.back} />
      {(["human", "bot", "unauthorized"] as const).map((label) => (
        <button
          type="submit"
          name="label"
          value={label}
          aria-pressed={props.current === label ? "true" : "false"}
          aria-label={`Label session ${props.session} ${label}`}
        >
          {props.current === label ? `✓ ${label}` : label}
        </button>
      ))}
    </form>
  );
}

/** A date as `YYYY-MM-DD HH:MM:SS` UTC. */
export function when(d: Date | null | undefined): string {
  return d ? d.toISOString().replace("T", " ").slice(0, 19) : "–";
}

/** A share as a percentage with one decimal, or a dash. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x)
    ? "–"
    : `${(100 * x).toFixed(digits)} %`;
}
