/**
 * The guard's one keyed MAC: HMAC-SHA256 under GUARD_SECRET, with base64url text as cookies and
 * attributes allow it unquoted. The guard cookie, page tokens and auth-cookie digests all use it,
 * each with its own label in the signed text (domain separation).
 *
 * @module
 */

const encoder = new TextEncoder();

/** base64url without padding (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of base64url text, or null when it is not base64url. */
export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null; // a length no base64 text has
  }
}

/** HMAC-SHA256 under one secret; the key is imported once, lazily. */
export interface KeyedMac {
  /** The 32-byte MAC of `text`. */
  sign(text: string): Promise<Uint8Array>;
  /** Whether `mac` is the MAC of `text`, compared in constant time (subtle.verify). */
  verify(mac: Uint8Array, text: string): Promise<boolean>;
}

/** Creates the MAC for `secret`. */
export function createKeyedMac(secret: string): KeyedMac {
  let key: Promise<CryptoKey> | undefined;
  const getKey = () =>
    key ??= crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  return {
    async sign(text) {
      return new Uint8Array(
        await crypto.subtle.sign("HMAC", await getKey(), encoder.encode(text)),
      );
    },
    async verify(mac, text) {
      return await crypto.subtle.verify(
        "HMAC",
        await getKey(),
        mac as Uint8Array<ArrayBuffer>,
        encoder.encode(text),
      );
    },
  };
}
