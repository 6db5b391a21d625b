/**
 * Response to a detection: auth cookies cleared (one description per cookie, from AUTH_COOKIES),
 * the guard session revoked, and a `beforeProxy` gate that refuses revoked sessions on every
 * instance (LISTEN/NOTIFY).
 *
 * @example
 * ```ts
 * const gate = createRevocationGate({
 *   store,
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
} from "./cookies.ts";
export {
  createRevocationGate,
  type GateStore,
  type RevocationGate,
  type RevocationGateOptions,
} from "./gate.ts";
