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
