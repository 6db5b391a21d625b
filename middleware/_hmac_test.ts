import assert from "node:assert/strict";
import { base64url, createKeyedMac, fromBase64url } from "./_hmac.ts";

const SECRET = "a-guard-secret-of-at-least-32-chars!";

Deno.test("the keyed MAC gives WebCrypto's HMAC-SHA256 bytes", async () => {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = createKeyedMac(SECRET);
  for (const text of ["", "page|s|1|n", "auth|sid=✓", "x".repeat(200)]) {
    const want = new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)),
    );
    assert.deepEqual(mac.sign(text), want);
    // Signing again continues a fresh copy of the keyed state, not the last message.
    assert.deepEqual(mac.sign(text), want);
  }
});

Deno.test("a forged or truncated MAC does not verify", () => {
  const mac = createKeyedMac(SECRET);
  const good = mac.sign("id");
  assert.equal(mac.verify(good, "id"), true);
  assert.equal(mac.verify(good, "id2"), false);
  assert.equal(mac.verify(good.subarray(0, 31), "id"), false);
  const flipped = good.slice();
  flipped[31] ^= 1;
  assert.equal(mac.verify(flipped, "id"), false);
  assert.equal(createKeyedMac(SECRET + "x").verify(good, "id"), false);
});

Deno.test("base64url round-trips and refuses what is not base64url", () => {
  const bytes = Uint8Array.from({ length: 33 }, (_, i) => i * 7);
  assert.deepEqual(fromBase64url(base64url(bytes)), bytes);
  assert.equal(fromBase64url("a+b/"), null);
  assert.equal(fromBase64url("a"), null);
});
