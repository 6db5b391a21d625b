/**
 * The operator console's routes, mounted by mod.ts behind the admin login (auth.ts): the
 * overview at `<prefix>/admin/`, the session list and session pages as HTML, one-click labels
 * (a form post with the CSRF token) and the promotion of the `deno task adapt` candidate.
 * Server-rendered with hono/jsx; no page needs client JS.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import {
  CONSOLE_VERDICTS,
  type ConsoleVerdict,
  type Label,
  LABELS,
  type SessionDetail,
  type Store,
} from "../../db/mod.ts";
import { log } from "../../log.ts";
import { readForm } from "./_form.ts";
import type { AdminPageContext } from "./_html.ts";
import { adminCsrf } from "./auth.ts";
import type { CandidateView, ModelView } from "./pages/model.tsx";
import { type OverviewData, OverviewPage } from "./pages/overview.tsx";
import { SessionPageView } from "./pages/session.tsx";
import { SessionsPage } from "./pages/sessions.tsx";
import { readiness } from "./readiness.ts";

/** What the console needs beyond the store: the running detection's settings and models. */
export interface ConsoleOptions {
  mode: "monitor" | "enforce";
  ownerAction: "alert" | "logout";
  noBehaviourAction: "record" | "logout";
  /** VERDICT_THRESHOLD. */
  evidenceThreshold: number;
  /** The session rule over a score sequence: evidence after each window, and where it flagged. */
  evidenceTrail(
    scores: readonly number[],
  ): { evidence: number[]; detectedAt: number | null };
  /** The models serving now. */
  models(): { live: ModelView; humanness: ModelView | null };
  /** Where `deno task adapt` writes its candidate (ADAPT_DIR). */
  adaptDir: string;
  /** The candidate there, or null. */
  candidate(): Promise<CandidateView | null>;
  /** Promotes the candidate; resolves to the live paths replaced. */
  promote(): Promise<string[]>;
  /** RETAIN_RAW: whether raw events can be drawn. */
  retainRaw: boolean;
  /** The human false-positive rate under which the console says "ready" (default 0.01). */
  fprTarget?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** The store methods the console reads. */
export type ConsoleStoreSlice = Pick<
  Store,
  "console" | "getSession" | "setLabel" | "listRawEvents"
>;

const RANGES = {
  "24h": [86_400_000, "hour"],
  "7d": [7 * 86_400_000, "day"],
  "30d": [30 * 86_400_000, "day"],
} as const;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional();
const FILTERS = z.object({
  verdict: z.enum(CONSOLE_VERDICTS as [ConsoleVerdict, ...ConsoleVerdict[]])
    .optional(),
  label: z.enum(["human", "bot", "unauthorized", "none"]).optional(),
  user: z.string().max(256).optional(),
  from: DATE,
  to: DATE,
  at: z.string().regex(/^\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{2}(:\d{2})?$/)
    .optional(),
  after: z.string().regex(ID).optional(),
});

const blank = (v: string | undefined) =>
  v === undefined || v === "" ? undefined : v;

/** The page context of a cookie session (every console page is one). */
function pageCtx(c: Context, base: string): AdminPageContext | null {
  const csrf = adminCsrf(c);
  return csrf === undefined ? null : { csrf, base };
}

/** Adds the console's routes to the admin app (after `auth.require`). */
export function mountConsole(
  app: Hono,
  store: ConsoleStoreSlice,
  base: string,
  options?: ConsoleOptions,
): void {
  const overview = async (c: Context) => {
    const ctx = pageCtx(c, base);
    if (ctx === null) return c.json({ error: "not found" }, 404);
    if (options === undefined) {
      return c.json({ error: "console not configured" }, 404);
    }
    const range = (c.req.query("range") ?? "24h") as keyof typeof RANGES;
    if (!(range in RANGES)) {
      return c.json({ error: "invalid", field: "range" }, 400);
    }
    const data = await overviewData(store, options, range, base);
    const promoted = c.req.query("promoted");
    if (promoted !== undefined && /^[0-9a-f]{12}$/.test(promoted)) {
      data.notice = `Promoted candidate ${promoted}: it is the live model now.`;
    }
    return c.html(OverviewPage({ ctx, d: data }));
  };
  app.get("/", overview);
  app.post("/model/promote", async (c) => {
    if (options === undefined) return c.json({ error: "not found" }, 404);
    try {
      const live = await options.promote();
      log("info", "candidate promoted from the console", { live });
    } catch (error) {
      log("error", "Cannot promote the candidate", { error });
      return c.json({ error: "promote_failed" }, 500);
    }
    const version = options.models().live.version;
    return c.redirect(`${base}/?promoted=${version}`, 303);
  });
  app.post("/sessions/:id/label-form", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return c.json({ error: "invalid", field: "id" }, 400);
    const form = await readForm(c.req.raw, 4096);
    if (form === null) return c.json({ error: "too_large" }, 413);
    const label = form.get("label") ?? "";
    if (!(LABELS as readonly string[]).includes(label)) {
      return c.json({ error: "invalid", field: "label" }, 400);
    }
    await store.setLabel(id, label as Label, "admin");
    const back = form.get("back") ?? "";
    const safe = back.startsWith(`${base}/sessions`) && !back.includes("//");
    return c.redirect(safe ? back : `${base}/sessions/${id}`, 303);
  });
}

/** The HTML session list, or a 400 naming the bad filter. */
export async function sessionsHtml(
  c: Context,
  store: ConsoleStoreSlice,
  base: string,
): Promise<Response> {
  const ctx = pageCtx(c, base) ?? { csrf: "", base };
  const q = FILTERS.safeParse(
    Object.fromEntries(
      Object.entries(c.req.query()).map(([k, v]) => [k, blank(v)]),
    ),
  );
  if (!q.success) {
    return c.json({
      error: "invalid",
      field: String(q.error.issues[0].path[0]),
    }, 400);
  }
  const f = q.data;
  const limit = 50;
  const rows = await store.console.searchSessions({
    verdict: f.verdict,
    label: f.label as Label | "none" | undefined,
    user: f.user,
    from: f.from ? new Date(`${f.from}T00:00:00Z`) : undefined,
    to: f.to
      ? new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000)
      : undefined,
    after: f.at && f.after ? { cursor: f.at, id: f.after } : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last
    ? { cursor: last.cursor, id: last.id }
    : null;
  const filters = {
    verdict: f.verdict,
    label: f.label,
    user: f.user,
    from: f.from,
    to: f.to,
  };
  return c.html(SessionsPage({ ctx, filters, rows: page, next }));
}

/** The HTML page of one session, or null when it does not exist. */
export async function sessionHtml(
  c: Context,
  store: ConsoleStoreSlice,
  base: string,
  id: string,
  options?: ConsoleOptions,
): Promise<Response | null> {
  const s = await store.getSession(id);
  if (s === null) return null;
  const ctx = pageCtx(c, base) ?? { csrf: "", base };
  const scores = s.scores.filter((r) => !r.modelVersion.startsWith("owner:"))
    .map((r) => r.score);
  const trail = options?.evidenceTrail(scores) ??
    { evidence: [], detectedAt: null };
  const raw = options?.retainRaw ? await store.listRawEvents(id) : null;
  return c.html(SessionPageView({
    ctx,
    data: {
      s,
      verdict: verdictOfDetail(s),
      scores,
      evidence: trail.evidence,
      detectedAt: trail.detectedAt,
      scoreThreshold: options?.models().live.model.threshold ?? 0.5,
      evidenceThreshold: options?.evidenceThreshold ?? 2,
      pages: await store.console.sessionPages(id),
      raw,
    },
  }));
}

/** The console verdict of a session's detail, as db/_console_sessions.ts computes it in SQL. */
export function verdictOfDetail(
  s: Pick<SessionDetail, "detections" | "scores">,
): ConsoleVerdict {
  const has = (v: string) => s.detections.some((d) => d.verdict === v);
  for (const v of ["bot", "unauthorized", "unverified"] as const) {
    if (has(v)) return v;
  }
  return s.scores.length > 0 ? "human" : "pending";
}

async function overviewData(
  store: ConsoleStoreSlice,
  o: ConsoleOptions,
  range: keyof typeof RANGES,
  base: string,
): Promise<OverviewData> {
  const now = (o.now ?? Date.now)();
  const [span, unit] = RANGES[range];
  const since = new Date(now - span);
  const c = store.console;
  const outcomes = await c.labelOutcomes();
  const human = outcomes.find((x) => x.label === "human");
  const models = o.models();
  let candidate: CandidateView | null = null;
  let candidateError: string | undefined;
  try {
    candidate = await o.candidate();
  } catch (error) {
    candidateError = (error as Error).message.split("\n")[0];
  }
  return {
    mode: o.mode,
    ownerAction: o.ownerAction,
    noBehaviourAction: o.noBehaviourAction,
    range,
    traffic: await c.traffic(since, unit),
    histogram: await c.scoreHistogram(since, 20),
    impact: await c.monitorImpact(since),
    topPaths: await c.topFlagged(since, "path", 10),
    topClients: await c.topFlagged(since, "client", 10),
    outbox: await c.outboxHealth(new Date(now)),
    outcomes,
    readiness: readiness(
      human?.flagged ?? 0,
      human?.sessions ?? 0,
      o.fprTarget,
    ),
    evidenceThreshold: o.evidenceThreshold,
    live: models.live,
    humanness: models.humanness,
    candidate,
    candidateError,
    adaptDir: o.adaptDir,
    base,
  };
}
