/**
 * Which requests count as activity for the silence rule (detect/silence.ts): an HTTP question,
 * answered with the same canonical path reading the injector uses (middleware/edge/path.ts).
 *
 * @module
 */
import { canonicalPath, createExcluded, pathAndQueryOf } from "../edge/mod.ts";

/** The parts of a request {@link countsAsActivity} looks at (a `Request` fits). */
export interface ActivityRequest {
  method: string;
  url: string;
  headers: Headers;
}

/** Options of {@link countsAsActivity}. */
export interface ActivityOptions {
  /** EXCLUDE_PATHS: path prefixes that never count (matched like the injector's). */
  excludePaths?: readonly string[];
}

/**
 * Static assets by extension. `.json` is deliberately absent: a browser's JSON fetch carries
 * `Sec-Fetch-Mode: cors` and never counts anyway, so only header-less clients (scripts, which
 * is what an API scraper is) are counted for it.
 */
export const ASSET_EXTENSIONS: ReadonlySet<string> = new Set([
  "js",
  "mjs",
  "css",
  "png",
  "jpg",
  "jpeg",
  "gif",
  "svg",
  "ico",
  "webp",
  "avif",
  "woff",
  "woff2",
  "ttf",
  "map",
  "mp4",
  "webm",
  "mp3",
]);

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** EXCLUDE_PATHS by the one canonical reading of the path the injector uses (edge/path.ts). */
function isExcluded(url: string, prefixes: readonly string[]): boolean {
  if (prefixes.length === 0) return false;
  return createExcluded(prefixes)(canonicalPath(pathAndQueryOf(url)));
}

function isAsset(path: string): boolean {
  const last = path.slice(path.lastIndexOf("/") + 1);
  const dot = last.lastIndexOf(".");
  return dot > 0 && ASSET_EXTENSIONS.has(last.slice(dot + 1).toLowerCase());
}

/**
 * Whether a request is activity a human's page would have reported behaviour for: an HTML
 * navigation (GET/HEAD with `Sec-Fetch-Mode: navigate`, or with no `Sec-Fetch-Mode` at all, since
 * every current browser sends it and its absence means a script or an old browser, unless the
 * path is a static asset by extension), or a state-changing request (POST, PUT, PATCH, DELETE).
 * Paths under EXCLUDE_PATHS never count; the guard's own prefix never reaches this check.
 */
export function countsAsActivity(
  request: ActivityRequest,
  options: ActivityOptions = {},
): boolean {
  const method = request.method.toUpperCase();
  const state = STATE_CHANGING.has(method);
  if (!state && method !== "GET" && method !== "HEAD") return false;
  const path = new URL(request.url).pathname;
  if (isExcluded(request.url, options.excludePaths ?? [])) return false;
  if (state) return true;
  const mode = request.headers.get("sec-fetch-mode");
  if (mode !== null) return mode.toLowerCase() === "navigate";
  return !isAsset(path);
}
