/**
 * Prometheus metrics of the proxy, on prom-client's default registry (so metrics that other
 * modules register there are served too, at `GET <prefix>/metrics`).
 *
 * @module
 */
import client from "prom-client";

/** The proxy's metric handles. */
export type GuardMetrics = {
  /** Requests answered, by status class (`2xx` …). */
  requests: client.Counter<"status_class">;
  /** HTML responses the collector tag was injected into. */
  injections: client.Counter<string>;
  /** Upstream failures, by kind (`connect`, `timeout`, `body_too_large`, `other`). */
  upstreamErrors: client.Counter<"kind">;
  /** Time to response headers, in seconds. */
  latency: client.Histogram<string>;
};

let metrics: GuardMetrics | null = null;

/**
 * Returns the process-wide metric handles, registering them on first use (prom-client refuses a
 * second registration of one name, and several apps may run in one test process).
 */
export function guardMetrics(): GuardMetrics {
  if (metrics !== null) return metrics;
  metrics = {
    requests: new client.Counter({
      name: "guard_requests_total",
      help: "Requests answered by the guard, by status class.",
      labelNames: ["status_class"] as const,
    }),
    injections: new client.Counter({
      name: "guard_injections_total",
      help: "HTML responses the collector script was injected into.",
    }),
    upstreamErrors: new client.Counter({
      name: "guard_upstream_errors_total",
      help: "Upstream failures, by kind.",
      labelNames: ["kind"] as const,
    }),
    latency: new client.Histogram({
      name: "guard_request_duration_seconds",
      help: "Time from request to response headers, in seconds.",
      buckets: [
        0.0005,
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
        2.5,
        10,
      ],
    }),
  };
  return metrics;
}

const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];
let classCounters: Array<{ inc(): void }> | null = null;

/** Counts one answered request (label children are resolved once, not hashed per request). */
export function recordRequest(status: number, seconds: number): void {
  const m = guardMetrics();
  classCounters ??= CLASSES.map((c) => m.requests.labels(c));
  const index = Math.floor(status / 100) - 1;
  classCounters[index >= 0 && index < 5 ? index : 4].inc();
  m.latency.observe(seconds);
}

/**
 * Renders the default registry in the Prometheus text format.
 *
 * @returns the body and its content type
 */
export async function renderMetrics(): Promise<
  { body: string; contentType: string }
> {
  guardMetrics();
  return {
    body: await client.register.metrics(),
    contentType: client.register.contentType,
  };
}
