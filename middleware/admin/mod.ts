/**
 * Admin routes under the guard prefix: sessions, their scores and detections, and labels, behind
 * the admin authentication layer (auth.ts), which any other admin page reuses.
 *
 * - `GET <prefix>/admin/login`, `POST <prefix>/admin/login` (form field `token`),
 *   `POST <prefix>/admin/logout`: the admin session cookie (auth.ts)
 * - `GET <prefix>/admin/`: the console's overview (console.ts, pages/)
 * - `GET <prefix>/admin/sessions[?state=revoked&limit=50]`: JSON; for a browser (`Accept:
 *   text/html` or `?format=html`) the console's list, filtered by `verdict`, `label`, `user`,
 *   `from`, `to` (dates) and paged by `at`/`after`
 * - `GET <prefix>/admin/sessions/<id>`: JSON, or the console's session page for a browser, the
 *   page the alert email links to
 * - `POST <prefix>/admin/sessions/<id>/label` `{"label":"human"|"bot"|"unauthorized"}`:
 *   `application/json` only (415 otherwise); with the cookie also `X-CSRF-Token`
 * - `POST <prefix>/admin/sessions/<id>/label-form` (form: `label`, `csrf`, `back`): the
 *   console's one-click labels; `POST <prefix>/admin/model/promote` (form: `csrf`)
 *
 * A browser logs in once with ADMIN_TOKEN; scripts send `Authorization: Bearer <ADMIN_TOKEN>`.
 * The token is never read from a URL. Without ADMIN_TOKEN the routes answer 404: no admin
 * surface by default.
 *
 * @example
 * ```ts
 * createGuardApp({ ..., mountGuardRoutes: (g) => g.route("/admin", createAdminRoutes({ store, token, prefix: "/__guard" })) });
 * ```
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { LABELS, type Store } from "../../db/mod.ts";
import {
  type ConsoleOptions,
  mountConsole,
  sessionHtml,
  sessionsHtml,
} from "./console.ts";
import { type AdminAuthOptions, createAdminAuth, jsonOnly } from "./auth.ts";

export {
  ADMIN_COOKIE,
  type AdminAuth,
  type AdminAuthOptions,
  adminCsrf,
  bearerToken,
  createAdminAuth,
  jsonOnly,
  peerAddress,
} from "./auth.ts";
export {
  createFailureLimiter,
  createSharedFailureLimiter,
  type FailureLimiter,
  type FailureLimiterOptions,
  type FailureStore,
} from "./_limiter.ts";
export {
  createMetricsAuth,
  isLoopback,
  type MetricsAuthOptions,
} from "./metrics_auth.ts";
export { type AdminPageContext, escapeHtml, renderLoginHtml } from "./_html.ts";
export { type ConsoleOptions, verdictOfDetail } from "./console.ts";
export { type Readiness, readiness, wilson } from "./readiness.ts";
export type { CandidateView, ModelView } from "./pages/model.tsx";

/** The store methods the admin routes use. */
export type AdminStore = Pick<
  Store,
  "listSessions" | "getSession" | "setLabel" | "listRawEvents" | "console"
>;

/** Options of {@link createAdminRoutes}: the store, and the auth layer's options. */
export interface AdminOptions
  extends Omit<AdminAuthOptions, "token" | "prefix"> {
  store: AdminStore;
  /** ADMIN_TOKEN; undefined disables the routes. */
  token?: string;
  /** GUARD_PREFIX (default `/__guard`). */
  prefix?: string;
  /** The running detection's settings and models; without them the overview is off. */
  console?: ConsoleOptions;
}

const wantsHtml = (c: Context) =>
  c.req.query("format") === "html" ||
  (c.req.query("format") !== "json" &&
    (c.req.header("accept") ?? "").includes("text/html"));

const LIST_QUERY = z.object({
  state: z.enum(["active", "revoked"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
const LABEL_BODY = z.strictObject({
  label: z.enum(LABELS as [string, ...string[]]),
});
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Builds the admin sub-app; mount it at `/admin` under the guard prefix. */
export function createAdminRoutes(options: AdminOptions): Hono {
  const app = new Hono();
  const { token } = options;
  if (token === undefined) {
    app.all("*", (c) => c.json({ error: "not found" }, 404));
    return app;
  }
  const prefix = options.prefix ?? "/__guard";
  const base = `${prefix}/admin`;
  const auth = createAdminAuth({ ...options, token, prefix });
  auth.mount(app);
  app.use("*", auth.require);
  mountConsole(app, options.store, base, options.console);
  app.get("/sessions", async (c) => {
    if (wantsHtml(c)) return await sessionsHtml(c, options.store, base);
    const q = LIST_QUERY.safeParse({
      state: c.req.query("state"),
      limit: c.req.query("limit"),
    });
    if (!q.success) {
      return c.json({
        error: "invalid",
        field: String(q.error.issues[0].path[0]),
      }, 400);
    }
    const sessions = await options.store.listSessions(q.data);
    return c.json({ sessions });
  });
  app.get("/sessions/:id", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return c.json({ error: "invalid", field: "id" }, 400);
    if (wantsHtml(c)) {
      const page = await sessionHtml(
        c,
        options.store,
        base,
        id,
        options.console,
      );
      return page ?? c.json({ error: "not found" }, 404);
    }
    const session = await options.store.getSession(id);
    if (session === null) return c.json({ error: "not found" }, 404);
    return c.json({ session });
  });
  app.post("/sessions/:id/label", jsonOnly, async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return c.json({ error: "invalid", field: "id" }, 400);
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: "invalid", field: "body" }, 400);
    }
    const body = LABEL_BODY.safeParse(json);
    if (!body.success) {
      const field = body.error.issues[0].path.join(".") || "body";
      return c.json({ error: "invalid", field }, 400);
    }
    await options.store.setLabel(id, body.data.label as never, "admin");
    return c.json({ ok: true });
  });
  return app;
}
