/**
 * Minimal widening of an upstream Content-Security-Policy so the injected collector can load
 * (`<script src>` from the same origin) and post its windows (`fetch` to the same origin), without
 * opening the page to anything else.
 *
 * Per policy in the header (a comma separates policies, each enforced on its own, CSP3 §2.2):
 * - scripts: the directive that governs `<script src>` is `script-src-elem`, else `script-src`,
 *   else `default-src` (then a `script-src` copy of it is added, rather than widening
 *   `default-src`, which would also open images, frames and plugins). The collector's tag gets a
 *   fresh per-response nonce, and the policy that nonce, whenever the policy does not already let
 *   a same-origin script run: `'self'` or `*` (and no `'strict-dynamic'`, under which browsers
 *   ignore both, CSP3 §8.2). Never `'self'` where the site chose nonces, hashes or host lists:
 *   `'self'` would let any same-origin script run, an uploaded `/upload/evil.js` included. The
 *   one exception is a policy with `'unsafe-inline'` and no nonce or hash, where a nonce would
 *   switch `'unsafe-inline'` off (CSP2 §7.15) and break the site's inline scripts: there the
 *   collector's exact URL is added when PUBLIC_ORIGIN is known, else `'self'`.
 * - ingest: `connect-src`, else a `connect-src` copy of `default-src`, gets the ingest URL alone
 *   (`https://site.example/__guard/ingest`) when PUBLIC_ORIGIN is known, else `'self'`, unless it
 *   already allows `'self'` or `*`. `'none'` is dropped where a source is added.
 *
 * @module
 */

/** Exact URLs of what the collector loads and posts to, when the public origin is known. */
export type CspTargets = {
  /** e.g. `https://site.example/__guard/c.abc.js` */
  script?: string;
  /** e.g. `https://site.example/__guard/ingest` */
  ingest?: string;
};

/** The result of {@link widenCsp}: the new header value and the nonce the tag must carry, if any. */
export type CspWidening = { value: string; nonce: string | null };

type Directive = { name: string; tokens: string[] };

/**
 * Widens every policy in one CSP header value just enough for the collector.
 *
 * @param header the upstream `Content-Security-Policy` (or `-Report-Only`) value
 * @param nonce returns the response's nonce; called only when a policy needs one
 * @returns the value to send (unchanged text when nothing was needed) and the nonce used
 */
export function widenCsp(
  header: string,
  nonce: () => string,
  targets: CspTargets = {},
): CspWidening {
  let used: string | null = null;
  const getNonce = () => (used ??= nonce());
  const policies = header.split(",").map((policy) => {
    const directives = parsePolicy(policy);
    const changedScript = widen(
      directives,
      "script-src",
      (d) => widenScripts(d, getNonce, targets.script),
    );
    const changedConnect = widen(
      directives,
      "connect-src",
      (d) => widenConnect(d, targets.ingest),
    );
    if (!changedScript && !changedConnect) return policy.trim();
    return directives.map((d) => [d.name, ...d.tokens].join(" ")).join("; ");
  });
  return { value: policies.join(", "), nonce: used };
}

function parsePolicy(policy: string): Directive[] {
  const seen = new Set<string>();
  const out: Directive[] = [];
  for (const part of policy.split(";")) {
    const [rawName, ...tokens] = part.trim().split(/\s+/);
    if (!rawName) continue;
    const name = rawName.toLowerCase();
    // Duplicate directives are ignored by browsers (CSP3 §2.2.1); keep them as they are.
    out.push({ name: seen.has(name) ? rawName : name, tokens });
    seen.add(name);
  }
  return out;
}

function find(directives: Directive[], name: string): Directive | undefined {
  return directives.find((d) => d.name === name);
}

/**
 * Widens the directive governing `name` (`script-src-elem` first for scripts), or a copy of
 * `default-src` added as `name`; false when nothing governs it or nothing was needed.
 */
function widen(
  directives: Directive[],
  name: "script-src" | "connect-src",
  change: (d: Directive) => boolean,
): boolean {
  const target =
    (name === "script-src" ? find(directives, "script-src-elem") : undefined) ??
      find(directives, name);
  if (target) return change(target);
  const fallback = find(directives, "default-src");
  if (!fallback) return false;
  const copy = { name, tokens: [...fallback.tokens] };
  if (!change(copy)) return false;
  directives.push(copy);
  return true;
}

const NONCE_OR_HASH = /^'(nonce-|sha256-|sha384-|sha512-)/i;

function widenScripts(
  d: Directive,
  nonce: () => string,
  exact: string | undefined,
): boolean {
  const lower = d.tokens.map((t) => t.toLowerCase());
  const strict = lower.includes("'strict-dynamic'");
  if (!strict && (lower.includes("'self'") || lower.includes("*"))) {
    return false;
  }
  const keyed = lower.some((t) => NONCE_OR_HASH.test(t));
  d.tokens = d.tokens.filter((t) => t.toLowerCase() !== "'none'");
  if (!strict && !keyed && lower.includes("'unsafe-inline'")) {
    d.tokens.push(exact ?? "'self'");
  } else d.tokens.push(`'nonce-${nonce()}'`);
  return true;
}

function widenConnect(d: Directive, exact: string | undefined): boolean {
  const lower = d.tokens.map((t) => t.toLowerCase());
  if (lower.includes("'self'") || lower.includes("*")) return false;
  if (exact !== undefined && lower.includes(exact.toLowerCase())) return false;
  d.tokens = d.tokens.filter((t) => t.toLowerCase() !== "'none'");
  d.tokens.push(exact ?? "'self'");
  return true;
}

/**
 * Widens both CSP headers in place (see {@link widenCsp}); `nonce` is the response's one nonce.
 */
export function widenCspHeaders(
  headers: Headers,
  nonce: () => string,
  targets: CspTargets,
): void {
  for (
    const name of [
      "content-security-policy",
      "content-security-policy-report-only",
    ]
  ) {
    const value = headers.get(name);
    if (value === null) continue;
    const widened = widenCsp(value, nonce, targets);
    if (widened.value !== value) headers.set(name, widened.value);
  }
}
