/**
 * Minimal widening of an upstream Content-Security-Policy so the injected collector can load
 * (`<script src>` from the same origin) and post its windows (`fetch` to the same origin).
 *
 * Per policy in the header (a comma separates policies, each enforced on its own, CSP3 §2.2):
 * - scripts: the directive that governs `<script src>` is `script-src-elem`, else `script-src`,
 *   else `default-src`. It is left alone when it already allows `'self'` or `*`. Otherwise
 *   `'none'` is dropped and `'self'` added. With `'strict-dynamic'`, host sources and `'self'` are
 *   ignored by browsers (CSP3 §8.2), so a fresh per-response nonce is added instead and the tag
 *   carries it. When only `default-src` exists, a `script-src` copy of it is added rather than
 *   widening `default-src`, which would also open images, frames and plugins to `'self'`.
 * - ingest: `connect-src`, else `default-src`, the same way (a `connect-src` copy when absent).
 *
 * @module
 */

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
export function widenCsp(header: string, nonce: () => string): CspWidening {
  let used: string | null = null;
  const getNonce = () => (used ??= nonce());
  const policies = header.split(",").map((policy) => {
    const directives = parsePolicy(policy);
    const changedScript = widenScripts(directives, getNonce);
    const changedConnect = widenFor(directives, "connect-src");
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

function widenScripts(directives: Directive[], nonce: () => string): boolean {
  const target = find(directives, "script-src-elem") ??
    find(directives, "script-src");
  if (target) return widenList(target, nonce);
  const fallback = find(directives, "default-src");
  if (!fallback) return false;
  const copy = { name: "script-src", tokens: [...fallback.tokens] };
  if (!widenList(copy, nonce)) return false;
  directives.push(copy);
  return true;
}

function widenFor(directives: Directive[], name: string): boolean {
  const target = find(directives, name);
  if (target) return widenList(target, null);
  const fallback = find(directives, "default-src");
  if (!fallback) return false;
  const copy = { name, tokens: [...fallback.tokens] };
  if (!widenList(copy, null)) return false;
  directives.push(copy);
  return true;
}

/** Adds what lets a same-origin request through; false when it already passes. */
function widenList(d: Directive, nonce: (() => string) | null): boolean {
  const lower = d.tokens.map((t) => t.toLowerCase());
  if (nonce !== null && lower.includes("'strict-dynamic'")) {
    d.tokens.push(`'nonce-${nonce()}'`);
    return true;
  }
  if (lower.includes("'self'") || lower.includes("*")) return false;
  d.tokens = d.tokens.filter((t) => t.toLowerCase() !== "'none'");
  d.tokens.push("'self'");
  return true;
}
