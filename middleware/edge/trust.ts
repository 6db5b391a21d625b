/**
 * Which peers may speak for a client. `Forwarded`, `X-Forwarded-*` and `X-Real-IP` (and their
 * CDN cousins) are only as true as whoever set them: from an arbitrary client they are whatever it
 * chose (a spoofed IP for the upstream's logs and rate limits, a Host for its absolute links).
 * They are kept only when the TCP peer is in `TRUSTED_PROXIES`; otherwise the guard drops them
 * and states what it saw itself.
 *
 * @module
 */
import { BlockList, isIP } from "node:net";

/** Request headers by which a proxy describes the client (dropped from untrusted peers). */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-forwarded-server",
  "x-real-ip",
  "x-client-ip",
  "client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
  "x-cluster-client-ip",
  "x-original-forwarded-for",
]);

/** Whether a peer address is a trusted proxy. */
export type ProxyTrust = (peer: string | undefined) => boolean;

/**
 * Parses one `TRUSTED_PROXIES` entry: an IPv4 or IPv6 address, or a CIDR block.
 *
 * @returns the address, prefix length and family, or null when it is not one
 */
export function parseCidr(
  entry: string,
): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address, bits, extra] = entry.trim().split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d{1,3}$/.test(bits ?? String(max)) || prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/**
 * Builds the trust test of a CIDR list (IPv4-mapped IPv6 peers match their IPv4 blocks).
 *
 * @param cidrs entries as {@link parseCidr} reads them; invalid ones throw
 */
export function createProxyTrust(cidrs: readonly string[]): ProxyTrust {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of cidrs) {
    const cidr = parseCidr(entry);
    if (cidr === null) {
      throw new RangeError(`Cannot trust proxy "${entry}": not an IP or CIDR`);
    }
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return (peer) => {
    if (peer === undefined) return false;
    const version = isIP(peer);
    return version !== 0 && list.check(peer, version === 4 ? "ipv4" : "ipv6");
  };
}
