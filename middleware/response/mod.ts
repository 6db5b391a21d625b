/**
 * Response to a detection: auth cookies cleared (one description per cookie, from AUTH_COOKIES),
 * the guard session revoked with every auth cookie value seen on it (durably, as keyed digests),
 * a `beforeProxy` gate that refuses revoked sessions and values on every instance, and the
 * session ended at the site too (UPSTREAM_LOGOUT, the signed revocation webhook).
 *
 * @example
 * ```ts
 * const gate = createRevocationGate({
 *   store,
 *   secret: config.GUARD_SECRET,
 *   authCookies: parseAuthCookies(config.AUTH_COOKIES),
 *   loginUrl: config.LOGIN_URL,
 *   instance: "guard-1",
 * });
 * await gate.start();
 * createGuardApp({ ..., beforeProxy: [session, gate.middleware] });
 * ```
 *
 * @module
 */
export {
  type AuthCookie,
  clearAuthCookies,
  clearCookieHeader,
  parseAuthCookies,
  parseCookieHeader,
  serializeCookie,
  type SetCookieOptions,
  stripCookies,
  withCookieClears,
} from "./cookies.ts";
export {
  createDigester,
  type Digester,
  type SeenCredential,
  setAuthValues,
  sha256Hex,
} from "./credentials.ts";
export {
  createSessionEnder,
  parseUpstreamLogout,
  type RevocationNotice,
  type SessionEnder,
  type SessionEnderOptions,
  type UpstreamLogout,
} from "./end_session.ts";
export {
  createRevocationGate,
  type GateStore,
  type RevocationGate,
  type RevocationGateOptions,
} from "./gate.ts";
