/**
 * The guard's HTTP layer: the app factory (reserved routes, proxy, injection, metrics) and the
 * server lifecycle.
 *
 * ```ts
 * import { createGuardApp, serveGuard } from "./middleware/mod.ts";
 * const app = createGuardApp({ config, collector: { code, hash }, store });
 * const server = serveGuard(app, { hostname: config.HOSTNAME, port: config.PORT });
 * ```
 *
 * @module
 */
export {
  type CollectorBundle,
  createGuardApp,
  type GuardAppOptions,
} from "./app.ts";
export { type GuardServer, serveGuard, type ServeOptions } from "./serve.ts";
export { type GuardMetrics, guardMetrics } from "./metrics.ts";
