/**
 * Structured JSON logs, one object per line on stderr: `{"t":…,"level":…,"msg":…, …fields}`.
 *
 * The level threshold is set once by `main.ts` from `LOG_LEVEL`; tests leave it at `warn` to keep
 * their output readable.
 *
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};
let threshold: LogLevel = "warn";

/** Sets the lowest level that is written. */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Whether `log(level, …)` writes anything: lets a hot path skip building its fields. */
export function logs(level: LogLevel): boolean {
  return ORDER[level] >= ORDER[threshold];
}

/**
 * Writes one JSON log line. Errors in fields are reduced to their message (no stack in logs of
 * hostile input paths; the stack is kept only at debug level).
 */
export function log(
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const line: Record<string, unknown> = {
    t: new Date().toISOString(),
    level,
    msg,
  };
  for (const [key, value] of Object.entries(fields)) {
    line[key] = value instanceof Error
      ? (threshold === "debug"
        ? `${value.message}\n${value.stack}`
        : value.message)
      : value;
  }
  console.error(JSON.stringify(line));
}
