/**
 * Alert emails: one per detected session, or one digest when the hourly budget is exhausted.
 * The payload comes from the outbox (jsonb), so it is validated before use; an alert whose payload
 * does not fit still produces a mail pointing at the admin page.
 *
 * @module
 */
import { z } from "zod";
import type { Mail } from "./mailer.ts";

/** What the detector puts in a detection alert's payload (and in the detection's explanation). */
export const DETECTION_PAYLOAD = z.object({
  mode: z.enum(["monitor", "enforce"]),
  action: z.string(),
  evidence: z.number(),
  threshold: z.number(),
  windows: z.number().int(),
  scores: z.array(z.number()),
  modelVersion: z.string(),
  topFeatures: z.array(
    z.object({ feature: z.string(), importance: z.number() }),
  ),
  path: z.array(z.object({
    feature: z.string(),
    threshold: z.number(),
    value: z.number().nullable(),
    wentLeft: z.boolean(),
  })),
}).loose();

/** A detection alert's payload. */
export type DetectionPayload = z.infer<typeof DETECTION_PAYLOAD>;

/** An outbox alert as the composer needs it. */
export interface AlertLike {
  session: string;
  kind: string;
  payload: unknown;
  createdAt: Date;
}

const fmt = (n: number) => Number.isFinite(n) ? n.toFixed(2) : String(n);

/** An owner-check detection (middleware/detect/owner.ts) names the account it was about. */
function unauthorizedOf(payload: unknown): string | null {
  const p = payload as { verdict?: unknown; identity?: unknown } | null;
  return p?.verdict === "unauthorized" && typeof p.identity === "string"
    ? p.identity
    : null;
}

function explainLines(p: DetectionPayload, owner: boolean): string[] {
  const lines = [
    `Mode: ${p.mode}; action taken: ${p.action}.`,
    `Evidence ${fmt(p.evidence)} reached the threshold ${
      fmt(p.threshold)
    } after ${p.windows} windows (model ${p.modelVersion}).`,
    `Window scores (1 − P(${owner ? "owner" : "human"})): ${
      p.scores.map(fmt).join(", ")
    }`,
    "",
    "Most important features:",
    ...p.topFeatures.map((f) => `  ${f.feature}: ${fmt(f.importance)}`),
    "",
    "Decision path of the last window:",
    ...p.path.map((s) =>
      `  ${s.feature} = ${s.value === null ? "missing" : fmt(s.value)} ${
        s.wentLeft ? "≤" : ">"
      } ${fmt(s.threshold)}`
    ),
  ];
  return lines;
}

/** What the silence watch puts in an `unverified` alert (middleware/detect/silence_watch.ts). */
const UNVERIFIED_PAYLOAD = z.object({
  verdict: z.literal("unverified"),
  mode: z.enum(["monitor", "enforce"]),
  action: z.string(),
  requests: z.number().int(),
  spanMs: z.number(),
}).loose();

/** The mail of a session that used the site without any behaviour evidence. */
function unverifiedMail(alert: AlertLike, link: string): Mail | null {
  const p = UNVERIFIED_PAYLOAD.safeParse(alert.payload);
  if (!p.success) return null;
  const text = [
    `The guard judged session ${alert.session} unverified at ${alert.createdAt.toISOString()}: ${p.data.requests} page loads or form posts over ${
      (p.data.spanMs / 1000).toFixed(0)
    } s, logged in, without any behaviour evidence (the collector never reported input).`,
    "",
    `Mode: ${p.data.mode}; action taken: ${p.data.action}.`,
    "",
    `Session details: ${link}`,
  ].join("\n");
  return {
    subject: `[guard] No behaviour evidence: session ${alert.session}`,
    text,
  };
}

/** What db/_alerts.ts merges a source's later alerts into (an incident). */
const INCIDENT_PAYLOAD = z.object({
  incident: z.literal(true),
  source: z.string(),
  count: z.number().int(),
  sessions: z.array(z.string()),
  kinds: z.record(z.string(), z.number().int()),
}).loose();

/** One email for many detections from one source (client key). */
function incidentMail(
  alert: AlertLike,
  linkFor: (session: string) => string,
): Mail | null {
  const p = INCIDENT_PAYLOAD.safeParse(alert.payload);
  if (!p.success) return null;
  const { source, count, sessions, kinds } = p.data;
  const what = Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ");
  const text = [
    `The guard judged ${count} more sessions from one source (${source}) since ${alert.createdAt.toISOString()}: ${what}.`,
    "Each was handled like the first (see that alert); they are summarised here so a flood is one email.",
    "",
    `Sessions (first ${sessions.length}):`,
    ...sessions.map((s) => `- ${s} ${linkFor(s)}`),
  ].join("\n");
  return {
    subject: `[guard] Incident: ${count} sessions from ${source}`,
    text,
  };
}

/**
 * The email for one detected session: what was seen, why, and a link to the admin page.
 *
 * @param link absolute URL of `<prefix>/admin/sessions/<id>`
 */
export function composeAlertMail(alert: AlertLike, link: string): Mail {
  const incident = incidentMail(
    alert,
    (s) => link.replace(/[^/]*$/, encodeURIComponent(s)),
  );
  if (incident !== null) return incident;
  const silent = unverifiedMail(alert, link);
  if (silent !== null) return silent;
  const parsed = DETECTION_PAYLOAD.safeParse(alert.payload);
  const identity = unauthorizedOf(alert.payload);
  const body = parsed.success
    ? explainLines(parsed.data, identity !== null)
    : ["(The alert's details could not be read; see the admin page.)"];
  const what = identity === null
    ? "to be a bot"
    : `not to be used by the owner of account "${identity}"`;
  const text = [
    `The guard judged session ${alert.session} ${what} at ${alert.createdAt.toISOString()}.`,
    "",
    ...body,
    "",
    `Session details: ${link}`,
  ].join("\n");
  const subject = identity === null
    ? `[guard] Bot detected: session ${alert.session}`
    : `[guard] Unauthorized user on account "${identity}": session ${alert.session}`;
  return { subject, text };
}

/**
 * One digest for many alerts (a swarm): a line per session, each with its link.
 *
 * @param linkFor absolute admin URL of a session
 */
export function composeDigestMail(
  alerts: readonly AlertLike[],
  linkFor: (session: string) => string,
): Mail {
  const lines = alerts.map((a) => {
    const incident = INCIDENT_PAYLOAD.safeParse(a.payload);
    if (incident.success) {
      return `- incident from ${incident.data.source}: ${incident.data.count} sessions since ${a.createdAt.toISOString()}.`;
    }
    const p = DETECTION_PAYLOAD.safeParse(a.payload);
    const what = p.success
      ? `evidence ${
        fmt(p.data.evidence)
      } after ${p.data.windows} windows, ${p.data.action}`
      : a.kind;
    return `- ${a.session} at ${a.createdAt.toISOString()}: ${what}. ${
      linkFor(a.session)
    }`;
  });
  const text = [
    `The guard detected ${alerts.length} bot sessions. The hourly alert limit was reached, so they are summarised here.`,
    "",
    ...lines,
  ].join("\n");
  return {
    subject: `[guard] ${alerts.length} bot sessions detected (digest)`,
    text,
  };
}
