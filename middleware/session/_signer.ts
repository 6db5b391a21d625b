import { base64url, createKeyedMac, fromBase64url } from "../_hmac.ts";

export { base64url };

/** Session ids: 128 random bits, base64url. */
export const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Signs and verifies `<id>.<hmac-sha256(secret, id) base64url>` cookie values. */
export interface GuardSigner {
  sign(id: string): Promise<string>;
  /** The id when the value is well-formed and its MAC matches, else null. */
  verify(value: string | undefined): Promise<string | null>;
}

/** Verified cookie values remembered, so a session's later posts skip the HMAC. */
const VERIFIED_CACHE = 10_000;

/** Creates a signer; the key is imported once, lazily. */
export function createGuardSigner(secret: string): GuardSigner {
  const hmac = createKeyedMac(secret);
  const verified = new Map<string, string>();
  return {
    // Synchronous work (middleware/_hmac.ts) behind the promise interface callers await.
    sign(id) {
      return Promise.resolve(`${id}.${base64url(hmac.sign(id))}`);
    },
    verify(value) {
      return Promise.resolve(check(value));
    },
  };
  function check(value: string | undefined): string | null {
    if (value === undefined || value.length > 200) return null;
    const cached = verified.get(value);
    if (cached !== undefined) return cached;
    const dot = value.indexOf(".");
    if (dot < 0) return null;
    const id = value.slice(0, dot);
    const mac = fromBase64url(value.slice(dot + 1));
    if (!SESSION_ID.test(id) || mac === null || mac.length !== 32) {
      return null;
    }
    if (!hmac.verify(mac, id)) return null;
    if (verified.size >= VERIFIED_CACHE) verified.clear();
    verified.set(value, id);
    return id;
  }
}

/** A fresh random session id. */
export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
