/**
 * A store seeded for the operator console: one session of each verdict (human, bot, unverified,
 * unauthorized, pending), a labelled human the guard flagged (a false positive), windows, scores,
 * monitor-mode detections with explanations, page views, raw pointer events and alerts. Times
 * are relative to `now`, so the overview's "last 24 hours" sees them all.
 */
import type { Store } from "../db/mod.ts";
import { features } from "./db_helpers.ts";

/** The seeded sessions' ids. */
export const SEEDED = {
  human: "sess_alice_human",
  bot: "sess_bot_monitor",
  falsePositive: "sess_bob_flagged",
  unverified: "sess_curl_silent",
  unauthorized: "sess_mallory_owner",
  pending: "sess_new_visitor",
} as const;

/** The bot detection's decision path (explanation.path). */
export const BOT_PATH = [
  { feature: "speed_std", threshold: 0.11, value: 0.03, wentLeft: true },
  { feature: "curvature_mean", threshold: 0.5, value: 0.01, wentLeft: true },
  { feature: "click_dwell_mean", threshold: 40, value: null, wentLeft: false },
];

const ago = (now: number, minutes: number) => new Date(now - minutes * 60_000);

async function windows(
  store: Store,
  session: string,
  scores: readonly number[],
  now: number,
  startMin: number,
) {
  await store.insertWindows(scores.map((_, i) => ({
    session,
    seq: i + 1,
    t0: i * 5000,
    t1: (i + 1) * 5000,
    nEvents: 40,
    features: features(i),
    receivedAt: ago(now, startMin - i),
  })));
  for (const [i, score] of scores.entries()) {
    await store.recordScore({
      session,
      seq: i + 1,
      score,
      verdict: "pending",
      modelVersion: "0123456789ab",
      at: ago(now, startMin - i),
    });
  }
}

function botExplanation(scores: number[]) {
  return {
    mode: "monitor",
    action: "none (monitor mode)",
    evidence: 7.5,
    threshold: 2,
    windows: scores.length,
    scores,
    modelVersion: "0123456789ab",
    topFeatures: [{ feature: "speed_std", importance: 0.4 }],
    path: BOT_PATH,
    paths: [BOT_PATH],
  };
}

/** Seeds `store` (see the module doc). */
export async function seedConsole(store: Store, now = Date.now()) {
  const s = SEEDED;
  await windows(store, s.human, [0.05, 0.1, 0.2, 0.08, 0.15, 0.12], now, 50);
  await store.setUserIdentity(s.human, "alice");
  await store.setLabel(s.human, "human", "admin");
  const trail = Array.from({ length: 40 }, (_, i) => ({
    t: 1000 + i * 16,
    kind: "move" as const,
    x: 100 + i * 12,
    y: 300 + Math.round(80 * Math.sin(i / 6)),
  }));
  await store.insertRawEvents(s.human, trail);

  const botScores = [0.97, 0.99, 0.99, 0.98];
  await windows(store, s.bot, botScores, now, 30);
  await store.recordDetection({
    session: s.bot,
    verdict: "bot",
    explanation: botExplanation(botScores.slice(0, 3)),
    at: ago(now, 28),
  });
  await store.setLabel(s.bot, "bot", "admin");

  await windows(store, s.falsePositive, [0.7, 0.9, 0.8], now, 20);
  await store.setUserIdentity(s.falsePositive, "bob");
  await store.recordDetection({
    session: s.falsePositive,
    verdict: "bot",
    explanation: botExplanation([0.7, 0.9, 0.8]),
    at: ago(now, 18),
  });
  await store.setLabel(s.falsePositive, "human", "admin");

  await store.touchSession(s.unverified, ago(now, 10));
  await store.recordDetection({
    session: s.unverified,
    verdict: "unverified",
    explanation: {
      verdict: "unverified",
      mode: "monitor",
      action: "none (monitor mode)",
      loggedIn: true,
      requests: 3,
      spanMs: 16_000,
      firstAt: ago(now, 11).toISOString(),
      at: ago(now, 10).toISOString(),
      lastEvidenceAt: null,
      rule: { requests: 3, graceMs: 15_000 },
      attributed: false,
    },
    at: ago(now, 10),
  });

  await windows(store, s.unauthorized, [0.1, 0.2, 0.1, 0.3, 0.2, 0.1], now, 40);
  await store.setUserIdentity(s.unauthorized, "carol");
  await store.recordDetection({
    session: s.unauthorized,
    verdict: "unauthorized",
    explanation: {
      verdict: "unauthorized",
      identity: "carol",
      mode: "monitor",
      action: "none (monitor mode)",
      evidence: 9.1,
      threshold: 8,
      windows: 6,
      scores: [0.9, 0.95, 0.9, 0.97, 0.92, 0.96],
      modelVersion: "owner:carol",
      topFeatures: [],
      path: [],
      paths: [],
    },
    at: ago(now, 34),
  });
  await store.touchSession(s.pending, ago(now, 5));

  const view = (
    session: string,
    path: string,
    client: string,
    min: number,
  ) => ({
    session,
    path,
    client,
    at: ago(now, min),
  });
  await store.console.recordPageViews([
    view(s.human, "/", "198.51.100.0/24", 50),
    view(s.human, "/article", "198.51.100.0/24", 49),
    view(s.human, "/profile?tab=2", "198.51.100.0/24", 46),
    view(s.bot, "/login", "203.0.113.0/24", 30),
    view(s.bot, "/account?id=7", "203.0.113.0/24", 29),
    view(s.bot, "/account?id=8", "203.0.113.0/24", 26),
    view(s.falsePositive, "/article", "192.0.2.0/24", 20),
    view(s.unverified, "/account", "203.0.113.0/24", 11),
    view(s.unverified, "/account", "203.0.113.0/24", 10),
    view(s.unverified, "/export", "203.0.113.0/24", 9),
    view(s.pending, "/", "192.0.2.0/24", 5),
  ]);

  await store.enqueueAlert({
    session: s.bot,
    kind: "bot",
    payload: {},
    dedupeKey: "seed-bot",
  });
  await store.enqueueAlert({
    session: s.unverified,
    kind: "unverified",
    payload: {},
    dedupeKey: "seed-unverified",
  });
  const claimAt = new Date(Math.max(now, Date.now() + 5_000));
  const [first, second] = await store.claimDueAlerts(2, claimAt);
  await store.markAlertSent(first.id, new Date(now));
  await store.markAlertFailed(
    second.id,
    "connect ECONNREFUSED 127.0.0.1:25",
    new Date(now + 60_000),
  );
}
