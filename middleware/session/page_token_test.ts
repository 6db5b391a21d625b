import assert from "node:assert/strict";
import { createPageTokens } from "./page_token.ts";

const SECRET = "page-token-test-secret-0123456789abcdef";

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
