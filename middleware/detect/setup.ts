/**
 * Wiring of detection and response from the configuration, so main.ts (and the end-to-end tests)
 * add a few lines: the ingest hook, the revocation gate, the admin routes, start and stop.
 *
 * @module
 */
import type { Hono, MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import { FEATURE_NAMES } from "../../collector/mod.ts";
import { createGroupCommit, type Store } from "../../db/mod.ts";
import { createAdminRoutes, createSharedFailureLimiter } from "../admin/mod.ts";
import { createPageViewRecorder } from "../views/mod.ts";
import {
  createRevocationGate,
  createSessionEnder,
  parseAuthCookies,
  parseUpstreamLogout,
  type RevocationGate,
} from "../response/mod.ts";
import { reloginPrior } from "./relogin.ts";
import {
  createDetector,
  type DetectAction,
  type ScoredWindow,
} from "./detector.ts";
import { type ModelSource, openModelSource } from "./model_source.ts";
import { verdictOptionsOf } from "../../detect/mod.ts";
import { consoleOptions } from "./console_options.ts";
import { createIdentify } from "./identify.ts";
import { createOwnerCheck } from "./owner.ts";
import { createSilenceWatch } from "./silence_watch.ts";
import type { WindowEvent } from "../../collector/mod.ts";

/** The config slice detection reads. */
export type DetectionConfig = Pick<
  Config,
  | "mode"
  | "MODEL_PATH"
  | "VERDICT_THRESHOLD"
  | "VERDICT_MIN_WINDOWS"
  | "VERDICT_DECAY"
  | "VERDICT_CLIP"
  | "VERDICT_AMBIGUOUS_WINDOWS"
  | "VERDICT_AMBIGUOUS_HUMANNESS"
  | "HUMANNESS_MODEL_PATH"
  | "AUTH_COOKIES"
  | "LOGIN_URL"
  | "ADMIN_TOKEN"
  | "GUARD_PREFIX"
  | "PUBLIC_ORIGIN"
  | "MIN_EVENTS"
  | "USER_HEADER"
  | "OWNER_ACTION"
  | "OWNER_THRESHOLD"
  | "OWNER_MIN_WINDOWS"
  | "PROFILE_TTL_MS"
  | "NO_BEHAVIOUR_ACTION"
  | "NO_BEHAVIOUR_REQUESTS"
  | "NO_BEHAVIOUR_MS"
  | "EXCLUDE_PATHS"
  | "GUARD_SECRET"
  | "REVOCATION_TTL_MS"
  | "UPSTREAM_LOGOUT"
  | "REVOKE_WEBHOOK_URL"
  | "RELOGIN_RISK_TTL_MS"
  | "RELOGIN_MIN_WINDOWS"
  | "ALERT_INCIDENT_MS"
  | "ADAPT_DIR"
  | "RETAIN_RAW"
>;

/**
 * What `onWindow` receives: a scored window, and its server-decoded events once the ingest
 * route provides them (silence.ts reads them for behaviour evidence).
 */
export type DetectWindow = ScoredWindow & {
  events?: readonly WindowEvent[];
};

/** Options of {@link createDetection}. */
export interface DetectionOptions {
  config: DetectionConfig;
  store: Store;
  /** Name of this instance in revocation records (default `guard-<pid>`). */
  instance?: string;
  /** Watch MODEL_PATH and listen for SIGHUP (default true). */
  reload?: boolean;
  /** Clock in ms for the silence rule (default `Date.now`); tests inject one. */
  now?: () => number;
  /** The resolved GUARD_SECRET (the key of credential digests; default config.GUARD_SECRET). */
  secret?: string;
  /** The upstream base URL, for UPSTREAM_LOGOUT (default config.UPSTREAM_URL). */
  upstream?: string;
}

/** Detection, ready to mount. */
export interface Detection {
  /** The ingest route's `onWindow` hook. */
  onWindow: (window: DetectWindow) => Promise<DetectAction>;
  /** Put after the session middleware in `beforeProxy`. */
  gate: MiddlewareHandler;
  /**
   * The `beforeProxy` handlers, in order, to put after the session middleware: the identity
   * middleware (records USER_HEADER's user and strips the header; only when USER_HEADER is set,
   * so the proxy path carries no extra hop otherwise), the revocation gate, then the silence
   * watch (after the gate: a revoked navigation is refused before it counts, and the gate has
   * bound the request's auth cookies, which the watch reads).
   */
  beforeProxy: MiddlewareHandler[];
  /** The revocation gate (revoke, stats). */
  revocation: RevocationGate;
  /** Mounts `/admin/…` on the guard's prefix app. */
  mount: (guard: Hono) => void;
  models: ModelSource;
  /** Stops listening, watching and reloading. */
  close: () => Promise<void>;
}

/**
 * Loads the model, starts the revocation gate (preload + LISTEN) and builds the scorer.
 *
 * @throws when the model cannot be loaded or AUTH_COOKIES cannot be parsed
 */
export async function createDetection(
  options: DetectionOptions,
): Promise<Detection> {
  const { config, store } = options;
  const authCookies = parseAuthCookies(config.AUTH_COOKIES);
  const reload = options.reload ?? true;
  const models = await openModelSource(config.MODEL_PATH, {
    expectedFeatures: FEATURE_NAMES,
    watch: reload,
    sighup: reload,
  });
  const humanness = await openHumanness(config, reload).catch((error) => {
    models.close();
    throw error;
  });
  const gate = createRevocationGate({
    store,
    secret: options.secret ?? config.GUARD_SECRET ??
      crypto.randomUUID() + crypto.randomUUID(),
    authCookies,
    loginUrl: config.LOGIN_URL,
    instance: options.instance ?? `guard-${Deno.pid}`,
    ttlMs: config.REVOCATION_TTL_MS,
    ender: createSessionEnder({
      store,
      upstream: options.upstream ?? (config as { UPSTREAM_URL?: string })
        .UPSTREAM_URL,
      logout: config.UPSTREAM_LOGOUT === undefined
        ? undefined
        : parseUpstreamLogout(config.UPSTREAM_LOGOUT),
      webhook: config.REVOKE_WEBHOOK_URL !== undefined,
    }),
  });
  // Mail alerts carry their session's client key: a flood from one source becomes one incident.
  // Scores of windows scored while a score insert runs go together in the next one.
  const alertStore: Store = {
    ...store,
    recordScore: createGroupCommit((rows) => store.recordScores(rows)),
    enqueueAlert: (alert) =>
      store.enqueueAlert(
        alert.channel === "webhook" ? alert : {
          source: gate.clientKeyOf(alert.session),
          incidentMs: config.ALERT_INCIDENT_MS,
          ...alert,
        },
      ),
  };
  try {
    await gate.start();
  } catch (error) {
    models.close();
    humanness?.close();
    throw error;
  }
  const detectBot = createDetector({
    store: alertStore,
    model: models.current,
    humanness: humanness?.current,
    mode: config.mode,
    verdict: verdictOptionsOf(config),
    loginUrl: config.LOGIN_URL,
    minEvents: config.MIN_EVENTS,
    revoke: gate.revoke,
    prior: config.RELOGIN_RISK_TTL_MS === 0
      ? undefined
      : (session, user) =>
        store.reloginRisk({
          session,
          clientKey: gate.clientKeyOf(session) ?? null,
          user,
          since: new Date(Date.now() - config.RELOGIN_RISK_TTL_MS),
        }).then((risk) =>
          reloginPrior(risk, {
            threshold: config.VERDICT_THRESHOLD,
            minWindows: config.VERDICT_MIN_WINDOWS,
            decay: config.VERDICT_DECAY,
          }, config.RELOGIN_MIN_WINDOWS)
        ),
  });
  const owner = ownerCheck({ ...options, store: alertStore }, gate.revoke);
  const silence = createSilenceWatch({
    store: alertStore,
    gate,
    mode: config.mode,
    action: config.NO_BEHAVIOUR_ACTION,
    rule: {
      requests: config.NO_BEHAVIOUR_REQUESTS,
      graceMs: config.NO_BEHAVIOUR_MS,
    },
    authCookies,
    excludePaths: config.EXCLUDE_PATHS,
    now: options.now,
  });
  const score = owner === null
    ? detectBot
    : async (window: ScoredWindow): Promise<DetectAction> => {
      const action = await detectBot(window);
      return action.action === "none" ? await owner.check(window) : action;
    };
  const admin = createAdminRoutes({
    store,
    token: config.ADMIN_TOKEN,
    prefix: config.GUARD_PREFIX,
    secure: config.PUBLIC_ORIGIN?.startsWith("https:"),
    publicOrigin: config.PUBLIC_ORIGIN,
    console: consoleOptions(config, models, humanness),
    limiter: createSharedFailureLimiter(store),
  });
  // Page views feed the console; recorded only when it is on.
  const views = config.ADMIN_TOKEN === undefined
    ? null
    : createPageViewRecorder({ store });
  const proxied = [gate.middleware, silence.middleware];
  if (views !== null) proxied.push(views.middleware);
  return {
    async onWindow(window) {
      await silence.noteWindow(window);
      return await score(window);
    },
    gate: gate.middleware,
    revocation: gate,
    beforeProxy: owner === null ? proxied : [owner.identify, ...proxied],
    mount(guard) {
      guard.route("/admin", admin);
      // Hono routes `/admin/` to no sub-app route: hand it to the admin app as its root.
      guard.get("/admin/", (c) => {
        const url = new URL(c.req.url);
        url.pathname = "/";
        return admin.fetch(new Request(url, c.req.raw), c.env);
      });
      if (config.ADMIN_TOKEN !== undefined) {
        guard.get("/", (c) => c.redirect(`${config.GUARD_PREFIX}/admin/`, 303));
      }
    },
    models,
    async close() {
      models.close();
      humanness?.close();
      await views?.close();
      await gate.stop();
    },
  };
}

/**
 * The humanness model, when the positive-evidence rule is on (VERDICT_AMBIGUOUS_WINDOWS > 0) and
 * HUMANNESS_MODEL_PATH is not empty; reloaded like the bot model.
 */
export function openHumanness(
  config: Pick<
    DetectionConfig,
    "HUMANNESS_MODEL_PATH" | "VERDICT_AMBIGUOUS_WINDOWS"
  >,
  reload: boolean,
): Promise<ModelSource | null> {
  if (
    config.VERDICT_AMBIGUOUS_WINDOWS === 0 || config.HUMANNESS_MODEL_PATH === ""
  ) return Promise.resolve(null);
  return openModelSource(config.HUMANNESS_MODEL_PATH, {
    expectedFeatures: FEATURE_NAMES,
    watch: reload,
    sighup: reload,
  });
}

/** The owner check and its identity middleware, when USER_HEADER names the user (owner.ts). */
function ownerCheck(
  options: DetectionOptions,
  revoke: (session: string, reason: string) => Promise<void>,
) {
  const { config, store } = options;
  if (config.USER_HEADER === undefined) return null;
  const identify = createIdentify({ header: config.USER_HEADER, store });
  const check = createOwnerCheck({
    store,
    mode: config.mode,
    action: config.OWNER_ACTION,
    verdict: {
      threshold: config.OWNER_THRESHOLD,
      minWindows: config.OWNER_MIN_WINDOWS,
      decay: config.VERDICT_DECAY,
    },
    loginUrl: config.LOGIN_URL,
    revoke,
    identityOf: identify.identityOf,
    minEvents: config.MIN_EVENTS,
    profileTtlMs: config.PROFILE_TTL_MS,
  });
  return { identify: identify.middleware, check };
}
