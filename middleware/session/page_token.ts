/**
 * Page tokens: every page the guard injects carries a fresh token in its script tag
 * (`data-page`), and every ingest post must carry a token issued to the posting guard session.
 * A client that never loaded a page through the guard cannot post, a token lifted from another
 * session's page is refused, and the token's issue time anchors the page's clock: windows cannot
 * claim more time than has passed since the page was served (middleware/ingest).
 *
 * Format: `<issuedAt ms, base36>.<nonce: 9 random bytes, base64url>.<mac>`, where mac is the first
 * 16 bytes of HMAC-SHA256(secret, "page|" + session + "|" + issuedAt + "|" + nonce), base64url.
 * The "page|" label keeps these MACs apart from the guard cookie's (which MACs the bare id). The
 * nonce names the page (per-page state is keyed by it). Stateless: any instance sharing
 * GUARD_SECRET verifies any other's tokens.
 *
 * A page posts every few seconds with the same token, so the (session, token) pairs whose MAC
 * matched are remembered ({@link VERIFIED_PAGES}, the least recently verified forgotten first): a
 * page's later posts skip the HMAC (an asynchronous WebCrypto call was once the largest CPU cost
 * of an ingest post under load; the MAC is synchronous now, the lookup cheaper still). The age checks still run on every post.
 *
 * @module
 */
import { base64url, createKeyedMac } from "../_hmac.ts";

const TOKEN = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{22})$/;

/** (session, token) pairs whose MAC matched, remembered: about 100 bytes each. */
export const VERIFIED_PAGES = 50_000;

/** A verified page token. */
export interface PageToken {
  /** The page's id (the token's nonce). */
  page: string;
  /** Server time (epoch ms) at which the page was served. */
  issuedAt: number;
}

/** Result of {@link PageTokens.verify}. */
export type PageTokenCheck =
  | ({ ok: true } & PageToken)
  | { ok: false; reason: "invalid" | "expired" };

/** Issues and verifies page tokens for one secret. */
export interface PageTokens {
  /** A fresh token for a page served now to `session`. */
  issue(session: string, now?: number): Promise<string>;
  /** Whether `token` was issued to `session` and is younger than the TTL. */
  verify(token: string, session: string, now?: number): Promise<PageTokenCheck>;
}

/** Options of {@link createPageTokens}. */
export interface PageTokenOptions {
  /** How long a page may post (PAGE_TOKEN_TTL_MS). */
  ttlMs: number;
}

/**
 * Creates the issuer/verifier; the HMAC key is set up once.
 *
 * @param secret GUARD_SECRET (the guard cookie's key; the MACs are domain-separated)
 */
export function createPageTokens(
  secret: string,
  options: PageTokenOptions,
): PageTokens {
  // Synchronous (middleware/_hmac.ts): one token per injected page, and `crypto.subtle.sign`'s
  // per-call op was 13 % of the guard's CPU under wrk (README "Measured" → Proxy).
  const keyed = createKeyedMac(secret);
  const verified = new Map<string, true>();
  const mac = (session: string, issuedAt: string, nonce: string) =>
    base64url(
      keyed.sign(`page|${session}|${issuedAt}|${nonce}`).subarray(0, 16),
    );
  const check = (
    token: string,
    session: string,
    now: number,
  ): PageTokenCheck => {
    const match = TOKEN.exec(token);
    if (match === null) return { ok: false, reason: "invalid" };
    const [, at, nonce, given] = match;
    const pair = `${session}|${token}`;
    if (verified.has(pair)) {
      verified.delete(pair); // re-inserted below: the Map's order is recency
    } else if (!equal(given, mac(session, at, nonce))) {
      return { ok: false, reason: "invalid" };
    }
    verified.set(pair, true);
    if (verified.size > VERIFIED_PAGES) {
      verified.delete(verified.keys().next().value!);
    }
    const issuedAt = parseInt(at, 36);
    // A token from the future (beyond clock skew between instances) is not one we issued.
    if (issuedAt > now + 60_000) return { ok: false, reason: "invalid" };
    if (now - issuedAt > options.ttlMs) {
      return { ok: false, reason: "expired" };
    }
    return { ok: true, page: nonce, issuedAt };
  };
  // The interface stays a promise (callers await it); the work is synchronous now.
  return {
    issue(session, now = Date.now()) {
      const issuedAt = now.toString(36);
      const nonce = base64url(crypto.getRandomValues(new Uint8Array(9)));
      return Promise.resolve(
        `${issuedAt}.${nonce}.${mac(session, issuedAt, nonce)}`,
      );
    },
    verify: (token, session, now = Date.now()) =>
      Promise.resolve(check(token, session, now)),
  };
}

/** Compares two MAC strings without an early exit on the first difference. */
function equal(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
