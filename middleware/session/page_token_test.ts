import assert from "node:assert/strict";
import { createPageTokens } from "./page_token.ts";

const SECRET = "s".repeat(32);

Deno.test("createPageTokens() issues the MAC WebCrypto's HMAC-SHA256 gives for the same input", async () => {
  const tokens = createPageTokens(SECRET, { ttlMs: 60_000 });
  const token = await tokens.issue("session-1", 1_700_000_000_000);
  const [at, nonce, mac] = token.split(".");
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const reference = new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      key,
      new TextEncoder().encode(`page|session-1|${at}|${nonce}`),
    ),
    0,
    16,
  );
  const expected = btoa(String.fromCharCode(...reference))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  assert.deepEqual(at, (1_700_000_000_000).toString(36));
  assert.deepEqual(mac, expected);
});

Deno.test("createPageTokens() verify() accepts its own token and refuses another session's", async () => {
  const tokens = createPageTokens(SECRET, { ttlMs: 60_000 });
  const now = 1_700_000_000_000;
  const token = await tokens.issue("a", now);
  const nonce = token.split(".")[1];
  assert.deepEqual(await tokens.verify(token, "a", now + 1000), {
    ok: true,
    page: nonce,
    issuedAt: now,
  });
  assert.deepEqual(await tokens.verify(token, "b", now + 1000), {
    ok: false,
    reason: "invalid",
  });
  assert.deepEqual(await tokens.verify(token, "a", now + 60_001), {
    ok: false,
    reason: "expired",
  });
});

Deno.test("createPageTokens() verify(): a remembered token still needs its session and its age on every post", async () => {
  const tokens = createPageTokens(SECRET, { ttlMs: 60_000 });
  const t = 1_700_000_000_000;
  const token = await tokens.issue("session-a-0000000000", t);
  const page = token.split(".")[1];
  // Twice: the second answer comes from the remembered MAC.
  for (const now of [t + 1000, t + 2000]) {
    assert.deepEqual(await tokens.verify(token, "session-a-0000000000", now), {
      ok: true,
      page,
      issuedAt: t,
    });
  }
  // Lifted into another session: its MAC does not match that session.
  assert.deepEqual(
    await tokens.verify(token, "session-b-0000000000", t + 3000),
    { ok: false, reason: "invalid" },
  );
  // Past the TTL it is expired, remembered or not.
  assert.deepEqual(
    await tokens.verify(token, "session-a-0000000000", t + 60_001),
    { ok: false, reason: "expired" },
  );
  // A forged MAC on the remembered page is refused.
  const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
  assert.deepEqual(
    await tokens.verify(forged, "session-a-0000000000", t + 3000),
    { ok: false, reason: "invalid" },
  );
  // Another instance (same secret, nothing remembered) agrees.
  const other = createPageTokens(SECRET, { ttlMs: 60_000 });
  assert.deepEqual(await other.verify(token, "session-a-0000000000", t), {
    ok: true,
    page,
    issuedAt: t,
  });
  const wrongKey = createPageTokens(SECRET + "x", { ttlMs: 60_000 });
  assert.deepEqual(await wrongKey.verify(token, "session-a-0000000000", t), {
    ok: false,
    reason: "invalid",
  });
});
