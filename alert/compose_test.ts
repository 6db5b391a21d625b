import assert from "node:assert/strict";
import { composeAlertMail } from "./compose.ts";

const payload = {
  mode: "enforce",
  action: "logged out",
  evidence: 8.5,
  threshold: 8,
  windows: 6,
  scores: [0.9, 1],
  modelVersion: "owner:abc",
  topFeatures: [{ feature: "speed_mean", importance: 0.25 }],
  path: [{
    feature: "speed_mean",
    threshold: 120,
    value: 300,
    wentLeft: false,
  }],
};
const at = new Date("2026-11-28T10:00:00Z");

Deno.test("composeAlertMail() says bot or unauthorized user, with the evidence", () => {
  const bot = composeAlertMail(
    { session: "s1", kind: "detection", payload, createdAt: at },
    "https://x/__guard/admin/sessions/s1",
  );
  assert.equal(bot.subject, "[guard] Bot detected: session s1");
  assert.equal(
    bot.text.split("\n").slice(0, 5).join("\n"),
    [
      "The guard judged session s1 to be a bot at 2026-11-28T10:00:00.000Z.",
      "",
      "Mode: enforce; action taken: logged out.",
      "Evidence 8.50 reached the threshold 8.00 after 6 windows (model owner:abc).",
      "Window scores (1 − P(human)): 0.90, 1.00",
    ].join("\n"),
  );
  const owner = composeAlertMail({
    session: "s2",
    kind: "unauthorized",
    payload: { ...payload, verdict: "unauthorized", identity: "alice" },
    createdAt: at,
  }, "https://x/__guard/admin/sessions/s2");
  assert.equal(
    owner.subject,
    '[guard] Unauthorized user on account "alice": session s2',
  );
  assert.match(
    owner.text,
    /^The guard judged session s2 not to be used by the owner of account "alice" at 2026-11-28T10:00:00\.000Z\.\n/,
  );
  assert.match(
    owner.text,
    /\nWindow scores \(1 − P\(owner\)\): 0\.90, 1\.00\n/,
  );
  assert.match(owner.text, /\n {2}speed_mean = 300\.00 > 120\.00\n/);
  assert.match(
    owner.text,
    /\nSession details: https:\/\/x\/__guard\/admin\/sessions\/s2$/,
  );
});

Deno.test("composeAlertMail() says a silent session was unverified, with its requests", () => {
  const mail = composeAlertMail({
    session: "s3",
    kind: "unverified",
    payload: {
      verdict: "unverified",
      mode: "enforce",
      action: "logged out",
      loggedIn: true,
      requests: 4,
      spanMs: 15_200,
    },
    createdAt: at,
  }, "https://x/__guard/admin/sessions/s3");
  assert.equal(mail.subject, "[guard] No behaviour evidence: session s3");
  assert.equal(
    mail.text,
    [
      "The guard judged session s3 unverified at 2026-11-28T10:00:00.000Z: 4 page loads or form posts over 15 s, logged in, without any behaviour evidence (the collector never reported input).",
      "",
      "Mode: enforce; action taken: logged out.",
      "",
      "Session details: https://x/__guard/admin/sessions/s3",
    ].join("\n"),
  );
});
