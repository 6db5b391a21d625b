/**
 * The guard's configuration: one zod schema over the environment, validated once at start.
 *
 * `loadConfig(env)` is pure. It reports every bad variable together, so an operator fixes them all
 * in one go; `main.ts` prints the report and exits before listening. No other module reads
 * `Deno.env`: each factory receives its slice of {@link Config}.
 *
 * @module
 */
import { isIP } from "node:net";
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) =>
  v === "true" || v === "1"
);
const int = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const list = z.string().transform((v) =>
  v.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
);
const url = z.string().url();
/** An IPv4 or IPv6 address, optionally with a prefix length (`10.0.0.0/8`, `fd00::/8`). */
const isCidr = (entry: string) => {
  const [address, bits, extra] = entry.split("/");
  const version = isIP(address);
  const max = version === 4 ? 32 : 128;
  return version !== 0 && extra === undefined &&
    (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
};

/** Every environment variable the guard reads, with its default. The README table mirrors this. */
export const ENV_SCHEMA = z.object({
  UPSTREAM_URL: url.optional(),
  PORT: int(0, 65535).default(8080),
  HOSTNAME: z.string().min(1).default("0.0.0.0"),
  PUBLIC_ORIGIN: url.optional(),
  MODE: z.enum(["monitor", "enforce"]).optional(),
  GUARD_PREFIX: z.string().regex(
    /^\/[A-Za-z0-9_\-]+$/,
    "must look like /__guard",
  ).default("/__guard"),
  GUARD_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  UPSTREAM_TIMEOUT_MS: int(100, 600_000).default(30_000),
  MAX_BODY_BYTES: int(1024, 1 << 30).default(10 * 1024 * 1024),
  // The edge (middleware/edge): connection cap and deadlines, trusted forwarding peers.
  MAX_CONNECTIONS: int(16, 1_000_000).optional(),
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  IDLE_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  BODY_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  // Processes serving one port (workers.ts); GUARD_WORKER is set by the guard for each of them.
  WORKERS: int(1, 64).default(1),
  GUARD_WORKER: int(1, 64).optional(),
  TRUSTED_PROXIES: list.refine(
    (entries) => entries.every(isCidr),
    "must be IP addresses or CIDR blocks, comma-separated",
  ).default([]),
  EXCLUDE_PATHS: list.default([]),
  DATABASE_URL: z.string().regex(
    /^postgres(ql)?:\/\//,
    "must start with postgres://",
  ).optional(),
  PGLITE_DIR: z.string().min(1).default(".data/pglite"),
  INGEST_MAX_BYTES: int(256, 8 << 20).optional(),
  INGEST_RATE_PER_MIN: int(1, 10_000).default(60),
  INGEST_BUFFER_MAX: int(10, 10_000_000).default(50_000),
  INGEST_FLUSH_MS: int(10, 60_000).default(250),
  INGEST_ACK: z.enum(["buffered", "durable"]).default("buffered"),
  WINDOW_MS: int(1000, 60_000).default(5000),
  PAGE_TOKEN_TTL_MS: int(60_000, 30 * 86_400_000).default(43_200_000),
  MIN_EVENTS: int(1, 10_000).default(8),
  MODEL_PATH: z.string().min(1).default("data/model.json"),
  VERDICT_THRESHOLD: num(0, 1000).default(3),
  VERDICT_MIN_WINDOWS: int(1, 1000).default(3),
  VERDICT_DECAY: num(0, 1).default(0.8),
  VERDICT_CLIP: num(0.1, 100).default(3),
  HUMANNESS_MODEL_PATH: z.string().default("data/humanness.json"),
  ADAPT_DIR: z.string().min(1).default(".data/adapt"),
  VERDICT_AMBIGUOUS_WINDOWS: int(0, 1000).default(6),
  VERDICT_AMBIGUOUS_HUMANNESS: num(0, 1).default(0.5),
  USER_HEADER: z.string().regex(
    /^[A-Za-z0-9-]+$/,
    "must be a header name like X-Guard-User",
  ).optional(),
  OWNER_ACTION: z.enum(["alert", "logout"]).default("alert"),
  OWNER_THRESHOLD: num(0, 1000).default(16),
  OWNER_MIN_WINDOWS: int(1, 1000).default(6),
  PROFILE_MIN_WINDOWS: int(12, 100_000).default(24),
  PROFILE_TTL_MS: int(1000, 86_400_000).default(60_000),
  // 0: no schedule (run `deno task profiles` from cron instead). Every instance with USER_HEADER
  // retrains on its own timer; one instance, or cron, is enough in a fleet.
  PROFILE_RETRAIN_MS: int(0, 30 * 86_400_000).default(86_400_000),
  // Windows older than this stop training profiles (behaviour drifts; old evidence ages out).
  PROFILE_WINDOW_DAYS: int(1, 3650).default(30),
  NO_BEHAVIOUR_ACTION: z.enum(["record", "logout"]).default("logout"),
  NO_BEHAVIOUR_REQUESTS: int(1, 10_000).default(3),
  NO_BEHAVIOUR_MS: int(1000, 86_400_000).default(15_000),
  AUTH_COOKIES: list.default(["session"]),
  LOGIN_URL: z.string().min(1).default("/login"),
  // Issue 14, a logout that holds (README "Logout").
  REVOCATION_TTL_MS: int(60_000, 3650 * 86_400_000).default(30 * 86_400_000),
  UPSTREAM_LOGOUT: z.string().regex(
    /^(GET|POST|PUT|PATCH|DELETE) \/\S*$/,
    'must be a method and a path, like "POST /logout"',
  ).optional(),
  REVOKE_WEBHOOK_URL: url.optional(),
  REVOKE_WEBHOOK_SECRET: z.string().min(32, "must be at least 32 characters")
    .optional(),
  RELOGIN_RISK_TTL_MS: int(0, 30 * 86_400_000).default(86_400_000),
  RELOGIN_MIN_WINDOWS: int(1, 1000).default(1),
  NEW_SESSIONS_PER_MIN: int(1, 1_000_000).default(120),
  ALERT_INCIDENT_MS: int(0, 86_400_000).default(600_000),
  ALERT_OUTBOX_MAX: int(100, 10_000_000).default(10_000),
  SMTP_URL: z.string().regex(
    /^smtps?:\/\//,
    "must start with smtp:// or smtps://",
  ).optional(),
  ALERT_FROM: z.string().email().default("guard@localhost"),
  ALERT_TO: list.default([]),
  ALERT_MAX_PER_HOUR: int(1, 100_000).default(20),
  ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters")
    .optional(),
  RETAIN_RAW: bool.default(false),
  RAW_RETENTION_HOURS: int(1, 24 * 365).default(24),
  WINDOW_RETENTION_DAYS: int(1, 3650).default(90),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

/** The validated configuration, plus what is derived from it. */
export type Config = Omit<z.infer<typeof ENV_SCHEMA>, "INGEST_MAX_BYTES"> & {
  /**
   * Ingest body cap: 32 KiB by default. Every post carries its window's raw events (at most 1100,
   * about 20 bytes each at worst in the compact encoding; a busy window is 2–4 KiB).
   */
  INGEST_MAX_BYTES: number;
  /** True when no UPSTREAM_URL is set and the built-in demo site is served. */
  demo: boolean;
  /** `monitor` records verdicts only; `enforce` logs intruders out. The demo defaults to enforce. */
  mode: "monitor" | "enforce";
};

/** Result of {@link loadConfig}: either a config or every problem found, one line each. */
export type ConfigResult = { ok: true; config: Config } | {
  ok: false;
  errors: string[];
};

/**
 * Validates an environment map. Empty strings count as unset.
 *
 * @param env the variables, e.g. `Deno.env.toObject()`
 * @returns the config, or every bad variable with its reason
 */
export function loadConfig(
  env: Record<string, string | undefined>,
): ConfigResult {
  const known = Object.keys(ENV_SCHEMA.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = ENV_SCHEMA.safeParse(input);
  const together = input.REVOKE_WEBHOOK_URL !== undefined &&
      input.REVOKE_WEBHOOK_SECRET === undefined
    ? ["REVOKE_WEBHOOK_SECRET: is required when REVOKE_WEBHOOK_URL is set"]
    : [];
  // Workers share state only through PostgreSQL (README "Several instances"); PGlite and the
  // demo site live in one process.
  if (Number(input.WORKERS ?? "1") > 1) {
    if (input.DATABASE_URL === undefined) {
      together.push(
        "WORKERS: more than 1 needs DATABASE_URL (PGlite is one process's)",
      );
    }
    if (input.UPSTREAM_URL === undefined) {
      together.push(
        "WORKERS: more than 1 needs UPSTREAM_URL (the demo site is one process's)",
      );
    }
  }
  if (!parsed.success || together.length > 0) {
    const errors = (parsed.error?.issues ?? []).map((issue) =>
      `${issue.path.join(".")}: ${issue.message}`
    );
    return { ok: false, errors: [...errors, ...together] };
  }
  const demo = parsed.data.UPSTREAM_URL === undefined;
  const mode = parsed.data.MODE ?? (demo ? "enforce" : "monitor");
  const ingestMax = parsed.data.INGEST_MAX_BYTES ?? 32 * 1024;
  return {
    ok: true,
    config: { ...parsed.data, INGEST_MAX_BYTES: ingestMax, demo, mode },
  };
}
