/**
 * Admin routes under the guard prefix: sessions, their scores and detections, and labels.
 *
 * - `GET <prefix>/admin/sessions[?state=revoked&limit=50]`
 * - `GET <prefix>/admin/sessions/<id>`: JSON, or a simple HTML page for a browser
 *   (`Accept: text/html` or `?format=html`), the page the alert email links to
 * - `POST <prefix>/admin/sessions/<id>/label` `{"label":"human"|"bot"|"unauthorized"}`
 *
 * Protected by ADMIN_TOKEN as `Authorization: Bearer <token>` or `?token=<token>` (compared in
 * constant time). Without ADMIN_TOKEN the routes answer 404: no admin surface by default.
 *
 * @example
 * ```ts
 * createGuardApp({ ..., mountGuardRoutes: (g) => g.route("/admin", createAdminRoutes({ store, token })) });
 * ```
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { LABELS, type Store } from "../../db/mod.ts";
import { renderSessionHtml, renderSessionsHtml } from "./_html.ts";

/** The store methods the admin routes use. */
export type AdminStore = Pick<
  Store,
  "listSessions" | "getSession" | "setLabel"
>;

/** Options of {@link createAdminRoutes}. */
export interface AdminOptions {
  store: AdminStore;
  /** ADMIN_TOKEN; undefined disables the routes. */
  token?: string;
}

function sameBytes(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

function requireToken(token: string | undefined): MiddlewareHandler {
  return async function adminAuth(c, next) {
    if (token === undefined) return c.json({ error: "not found" }, 404);
    const header = c.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ")
      ? header.slice(7)
      : c.req.query("token") ?? "";
    if (!sameBytes(given, token)) {
      c.header("WWW-Authenticate", 'Bearer realm="guard admin"');
      return c.json({ error: "unauthorized" }, 401);
    }
    c.header("Cache-Control", "no-store");
    await next();
  };
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
  app.use("*", requireToken(options.token));
  app.get("/sessions", async (c) => {
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
    return wantsHtml(c)
      ? c.html(renderSessionsHtml(sessions, c.req.query("token")))
      : c.json({ sessions });
  });
  app.get("/sessions/:id", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return c.json({ error: "invalid", field: "id" }, 400);
    const session = await options.store.getSession(id);
    if (session === null) return c.json({ error: "not found" }, 404);
    return wantsHtml(c)
      ? c.html(renderSessionHtml(session))
      : c.json({ session });
  });
  app.post("/sessions/:id/label", async (c) => {
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
