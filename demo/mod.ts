/**
 * The built-in demo site, served behind the guard when no `UPSTREAM_URL` is set: a login form
 * (any user name, password `demo`) that sets an HttpOnly `session` cookie, a long article and a
 * profile form that require login, and `/logout`.
 *
 * ```ts
 * import { startDemo } from "./demo/mod.ts";
 * const demo = startDemo(); // 127.0.0.1, a free port
 * console.log(demo.url);
 * await demo.shutdown();
 * ```
 *
 * @module
 */
import {
  articlePage,
  homePage,
  loginPage,
  notFoundPage,
  profilePage,
} from "./pages.ts";

/** The demo's password, shown on its login page. */
export const DEMO_PASSWORD = "demo";

/** A running demo site. */
export type DemoSite = { url: string; shutdown(): Promise<void> };

const HTML = { "content-type": "text/html; charset=utf-8" };
const PROTECTED = new Set(["/article", "/profile"]);

/**
 * Creates the demo's request handler with its own in-memory sessions and profiles.
 *
 * @returns a handler for `Deno.serve`
 */
export function createDemoHandler(): (req: Request) => Promise<Response> {
  const sessions = new Map<string, string>();
  const profiles = new Map<string, Record<string, string>>();
  return async function demoHandler(req) {
    const url = new URL(req.url);
    const token = readCookie(req.headers.get("cookie"), "session");
    const user = token === null ? null : sessions.get(token) ?? null;
    const path = url.pathname;
    if (PROTECTED.has(path) && user === null) {
      return redirect(`/login?next=${encodeURIComponent(path)}`);
    }
    if (path === "/") return page(homePage(user));
    if (path === "/login") return await login(req, url, sessions);
    if (path === "/logout") {
      if (token !== null) sessions.delete(token);
      return redirect(
        "/",
        "session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
      );
    }
    if (path === "/article") {
      if (req.method === "POST") await req.formData();
      return page(articlePage(user!));
    }
    if (path === "/profile") {
      const profile = profiles.get(user!) ?? {};
      if (req.method !== "POST") {
        return page(profilePage(user!, profile, false));
      }
      const form = await req.formData();
      for (const key of ["name", "email", "city", "about"]) {
        profile[key] = String(form.get(key) ?? "").slice(0, 2000);
      }
      profiles.set(user!, profile);
      return page(profilePage(user!, profile, true));
    }
    return page(notFoundPage(user), 404);
  };
}

async function login(
  req: Request,
  url: URL,
  sessions: Map<string, string>,
): Promise<Response> {
  const next = safeNext(url.searchParams.get("next"));
  if (req.method !== "POST") return page(loginPage(next, null));
  const form = await req.formData();
  const username = String(form.get("username") ?? "").trim().slice(0, 64);
  const password = String(form.get("password") ?? "");
  const target = safeNext(String(form.get("next") ?? ""));
  if (username === "" || password !== DEMO_PASSWORD) {
    return page(loginPage(target, "Wrong user name or password."), 401);
  }
  const token = crypto.randomUUID();
  sessions.set(token, username);
  return redirect(
    target,
    `session=${token}; Path=/; HttpOnly; SameSite=Lax`,
  );
}

/** Only same-site paths: an open redirect would be a gift to phishers. */
function safeNext(next: string | null): string {
  return next !== null && /^\/(?![/\\])/.test(next) ? next : "/article";
}

function readCookie(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return part.slice(eq + 1).trim();
    }
  }
  return null;
}

function page(html: string, status = 200): Response {
  return new Response(html, { status, headers: HTML });
}

function redirect(location: string, cookie?: string): Response {
  const headers = new Headers({ location });
  if (cookie !== undefined) headers.set("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

/**
 * Serves the demo on 127.0.0.1 at a free port.
 *
 * @returns its URL and a shutdown function
 */
export function startDemo(): DemoSite {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler(),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    shutdown: () => server.shutdown(),
  };
}
