/**
 * The client key: who a request comes from, as far as the guard can tell without a cookie. It is
 * the network prefix of the peer address (IPv4 /24, IPv6 /48: one home, office or small hosting
 * block) plus a hash of the User-Agent, e.g. `203.0.113.0/24|ua:5f1c09a2`. It keys the limit on
 * new guard sessions, re-login risk (a new session from a key whose session was revoked lately)
 * and incident aggregation of alerts. It is a coarse grouping, not an identity: people behind
 * one NAT with the same browser share it, and a bot with many networks has many.
 *
 * @module
 */

/** FNV-1a, 32 bits, hex: a stable short hash (not a secret). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The network prefix of an address: /24 for IPv4 (and IPv4-mapped IPv6), /48 for IPv6. */
export function addressPrefix(address: string | undefined): string {
  if (address === undefined || address === "") return "unknown";
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(
    address,
  );
  if (v4 !== null) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!address.includes(":")) return "unknown";
  const [head, tail = ""] = address.replace(/^\[|\]$/g, "").split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return `${
    groups.slice(0, 3).map((g) => parseInt(g || "0", 16).toString(16)).join(
      ":",
    )
  }::/48`;
}

/**
 * The client key of a peer address and User-Agent.
 *
 * @example
 * ```ts
 * clientKey("203.0.113.9", "Mozilla/5.0"); // "203.0.113.0/24|ua:…"
 * ```
 */
export function clientKey(
  address: string | undefined,
  userAgent: string | undefined,
): string {
  return `${addressPrefix(address)}|ua:${fnv(userAgent ?? "")}`;
}
