const encoder = new TextEncoder();

/** base64url without padding (RFC 4648 §5), as cookie values allow it unquoted. */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null; // a length no base64 text has
  }
}

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
  let key: Promise<CryptoKey> | undefined;
  const verified = new Map<string, string>();
  const getKey = () =>
    key ??= crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  return {
    async sign(id) {
      const mac = await crypto.subtle.sign(
        "HMAC",
        await getKey(),
        encoder.encode(id),
      );
      return `${id}.${base64url(new Uint8Array(mac))}`;
    },
    async verify(value) {
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
      // subtle.verify compares in constant time.
      const ok = await crypto.subtle.verify(
        "HMAC",
        await getKey(),
        mac as Uint8Array<ArrayBuffer>,
        encoder.encode(id),
      );
      if (!ok) return null;
      if (verified.size >= VERIFIED_CACHE) verified.clear();
      verified.set(value, id);
      return id;
    },
  };
}

/** A fresh random session id. */
export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
