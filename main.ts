/**
 * The guard executable: load config, open the store, build the collector, start the demo site
 * when no UPSTREAM_URL is set, mount the middleware, serve, and shut down cleanly.
 *
 * Run with `deno task start`.
 *
 * @module
 */
import { buildCollectorBundle } from "./collector/mod.ts";
import { loadConfig } from "./config.ts";
import {
  configFailure,
  consoleLine,
  exitStartup,
  isModelFailure,
  listenFailure,
  modelFailure,
  otherFailure,
  storeFailure,
} from "./startup.ts";
import { createWindowBuffer, openStore, startRetention } from "./db/mod.ts";
import { startDemo } from "./demo/mod.ts";
import { log, setLogLevel } from "./log.ts";
import { startAlerts } from "./alert/mod.ts";
import { superviseWorkers } from "./workers.ts";
import {
  createDetection,
  startProfileRetrain,
} from "./middleware/detect/mod.ts";
import {
  createIngestRoute,
  exposeBufferMetrics,
} from "./middleware/ingest/mod.ts";
import {
  createGuardSession,
  createPageTokens,
  resolveGuardSecret,
} from "./middleware/session/mod.ts";
import { createSharedFailureLimiter } from "./middleware/admin/mod.ts";
import {
  createGuardApp,
  type GuardAppOptions,
  serveGuard,
} from "./middleware/mod.ts";

async function main(): Promise<void> {
  const result = loadConfig(Deno.env.toObject());
  if (!result.ok) exitStartup(configFailure(result.errors));
  const config = result.config;
  setLogLevel(config.LOG_LEVEL);
  if (config.WORKERS > 1 && config.GUARD_WORKER === undefined) {
    // Supervisor only (workers.ts): the workers open the store and serve.
    return await superviseWorkers(
      config,
      resolveGuardSecret(config.GUARD_SECRET),
    );
  }

  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
  }).catch((error) => exitStartup(storeFailure(error, config)));
  const collector = await buildCollectorBundle();
  const demo = config.demo ? startDemo() : null;
  const upstream = demo?.url ?? config.UPSTREAM_URL!;

  // Session cookie, ingest (scored by the detector), revocation gate, admin routes, alerts.
  const secret = resolveGuardSecret(config.GUARD_SECRET);
  const buffer = createWindowBuffer(store, {
    max: config.INGEST_BUFFER_MAX,
    flushMs: config.INGEST_FLUSH_MS,
  });
  exposeBufferMetrics(() => buffer.stats());
  const detection = await createDetection({ config, store, secret, upstream })
    .catch((error) =>
      exitStartup(
        isModelFailure(error, config.MODEL_PATH)
          ? modelFailure(error, config.MODEL_PATH)
          : otherFailure(error),
      )
    );
  const pageTokens = createPageTokens(secret, {
    ttlMs: config.PAGE_TOKEN_TTL_MS,
  });
  const ingest = createIngestRoute({
    store,
    buffer,
    secret,
    pageTokens,
    windowMs: config.WINDOW_MS,
    maxBytes: config.INGEST_MAX_BYTES,
    ratePerMin: config.INGEST_RATE_PER_MIN,
    retainRaw: config.RETAIN_RAW,
    // The owner check (USER_HEADER) is the only reader of the owner vectors.
    ownerEvidence: config.USER_HEADER !== undefined,
    ack: config.INGEST_ACK,
    onWindow: detection.onWindow,
    loginUrl: config.LOGIN_URL,
  });
  const stopAlerts = startAlerts(store, config);

  const options: GuardAppOptions = {
    config,
    upstream,
    store,
    collector,
    pageToken: (session) => pageTokens.issue(session),
    metricsLimiter: createSharedFailureLimiter(store),
    mountGuardRoutes(guard) {
      guard.route("/", ingest);
      detection.mount(guard);
    },
    beforeProxy: [
      createGuardSession({
        secret,
        secure: config.PUBLIC_ORIGIN?.startsWith("https:"),
        newSessionsPerMin: config.NEW_SESSIONS_PER_MIN,
        sharedCount: store.hitRateWindow,
      }),
      ...detection.beforeProxy,
    ],
  };
  const app = createGuardApp(options);

  let server: ReturnType<typeof serveGuard>;
  try {
    server = serveGuard(app, {
      hostname: config.HOSTNAME,
      port: config.PORT,
      reusePort: config.GUARD_WORKER !== undefined,
      limits: {
        maxConnections: config.MAX_CONNECTIONS,
        headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
        idleTimeoutMs: config.IDLE_TIMEOUT_MS,
        bodyTimeoutMs: config.BODY_TIMEOUT_MS,
      },
    });
  } catch (error) {
    exitStartup(listenFailure(error, config));
  }
  // Hooks run in reverse order: register what must close last first.
  server.onShutdown(() => store.close());
  server.onShutdown(() => buffer.close());
  server.onShutdown(startRetention(store, config));
  if (config.USER_HEADER !== undefined && config.PROFILE_RETRAIN_MS > 0) {
    server.onShutdown(startProfileRetrain(store, {
      intervalMs: config.PROFILE_RETRAIN_MS,
      minWindows: config.PROFILE_MIN_WINDOWS,
      windowDays: config.PROFILE_WINDOW_DAYS,
    }));
  }
  server.onShutdown(() => detection.close());
  server.onShutdown(stopAlerts);
  if (demo !== null) server.onShutdown(() => demo.shutdown());

  const local = `http://localhost:${server.addr.port}`;
  console.log(
    `Guard${
      config.GUARD_WORKER === undefined ? "" : ` worker ${config.GUARD_WORKER}`
    } listening on ${local} → upstream ${upstream}${
      demo ? " (built-in demo site)" : ""
    }  Open ${local}/`,
  );
  console.log(consoleLine(config, local));
  log("info", "guard started", {
    port: server.addr.port,
    upstream,
    mode: config.mode,
  });

  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, async () => {
      log("info", "shutting down", { signal: sig });
      await server.shutdown();
      Deno.exit(0);
    });
  }
}

if (import.meta.main) {
  await main().catch((error) => exitStartup(otherFailure(error)));
}
