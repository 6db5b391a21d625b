/**
 * Startup failures as one line for the operator: which variable or resource, what went wrong, and
 * what to do. main.ts prints the line and exits 1, never a stack trace: a stack names our files,
 * not the setting to fix. The functions are pure, so every message is tested as text.
 *
 * ```ts
 * const store = await openStore(options).catch((e) => exitStartup(storeFailure(e, config)));
 * ```
 *
 * @module
 */
import type { Config } from "./config.ts";

/** Prints `line` to stderr and exits 1. */
export function exitStartup(line: string): never {
  console.error(line);
  Deno.exit(1);
}

/** Every bad variable of loadConfig(), on one line. */
export function configFailure(errors: readonly string[]): string {
  return `Invalid configuration: ${
    errors.join("; ")
  }. Fix these environment variables and start again.`;
}

/** DATABASE_URL without its password: `host:port/database`. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "unparsable URL";
  }
}

const code = (error: unknown) =>
  String((error as { code?: unknown } | null)?.code ?? "");
const firstLine = (error: unknown) =>
  String((error as Error)?.message ?? error).split("\n")[0].replace(
    /\.$/,
    "",
  );

/** The store did not open: DATABASE_URL (PostgreSQL) or PGLITE_DIR (embedded). */
export function storeFailure(
  error: unknown,
  config: Pick<Config, "DATABASE_URL" | "PGLITE_DIR">,
): string {
  if (config.DATABASE_URL === undefined) {
    return `Cannot open PGLITE_DIR "${config.PGLITE_DIR}": ${
      fsReason(error)
    }. Set PGLITE_DIR to a writable directory, or memory:// to keep nothing.`;
  }
  const url = config.DATABASE_URL;
  const where = `Cannot connect to DATABASE_URL (${describeDatabaseUrl(url)})`;
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  switch (code(error)) {
    case "ECONNREFUSED":
      return `${where}: connection refused. Start PostgreSQL there or fix the host and port in DATABASE_URL.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${where}: host "${
        new URL(url).hostname
      }" not found. Fix the host in DATABASE_URL.`;
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return `${where}: connection timed out. Check that PostgreSQL is reachable from here, or fix DATABASE_URL.`;
    case "3D000":
      return `${where}: database "${db}" does not exist. Create it (createdb ${db}) or fix the database name in DATABASE_URL.`;
    case "28000":
    case "28P01":
      return `${where}: ${
        firstLine(error)
      }. Fix the user or password in DATABASE_URL.`;
    default:
      return `${where}: ${
        firstLine(error)
      }. Check that PostgreSQL runs there and DATABASE_URL is right.`;
  }
}

/** The model file did not load (missing, unreadable, or invalid). */
export function modelFailure(error: unknown, path: string): string {
  const message = firstLine(error);
  // The loader's own messages already read `Cannot load model "<path>": <why>`.
  const why = message.startsWith(`Cannot load model "${path}": `)
    ? message.slice(`Cannot load model "${path}": `.length)
    : fsReason(error);
  return `Cannot load MODEL_PATH "${path}": ${why}. Set MODEL_PATH to a readable model file (deno task train writes one).`;
}

/** True when detection failed on its model rather than on the store. */
export function isModelFailure(error: unknown, path: string): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.IsADirectory ||
    firstLine(error).startsWith(`Cannot load model "${path}"`);
}

/** The listening socket could not be opened. */
export function listenFailure(
  error: unknown,
  config: Pick<Config, "HOSTNAME" | "PORT">,
): string {
  const where =
    `Cannot listen on HOSTNAME:PORT ${config.HOSTNAME}:${config.PORT}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `${where}: the address is already in use. Stop the process using it or set PORT to a free port.`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `${where}: this machine has no such address. Set HOSTNAME to one of its addresses, or 0.0.0.0.`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `${where}: permission denied. Set PORT above 1023, or allow the process to bind low ports.`;
  }
  return `${where}: ${
    firstLine(error)
  }. Set HOSTNAME and PORT to a free local address.`;
}

/** Any other startup failure. */
export function otherFailure(error: unknown): string {
  return `Cannot start the guard: ${
    firstLine(error)
  }. Check the configuration and start again.`;
}

/** A file system error as a few words. */
function fsReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) {
    return "a part of the path is not a directory";
  }
  if (error instanceof Deno.errors.AlreadyExists) return "it exists as a file";
  return firstLine(error).replace(/ \(os error \d+\).*$/, "").toLowerCase();
}

/**
 * Where the operator console is, for the startup log: its URL when ADMIN_TOKEN is set, else that
 * it is off and how to turn it on.
 */
export function consoleLine(
  config: Pick<Config, "ADMIN_TOKEN" | "GUARD_PREFIX" | "PUBLIC_ORIGIN">,
  local: string,
): string {
  const origin = config.PUBLIC_ORIGIN?.replace(/\/$/, "") ?? local;
  return config.ADMIN_TOKEN === undefined
    ? "Console: off. Set ADMIN_TOKEN (at least 16 characters, e.g. ADMIN_TOKEN=$(openssl rand -hex 16)) to turn it on."
    : `Console: ${origin}${config.GUARD_PREFIX}/admin/ (log in with ADMIN_TOKEN)`;
}
