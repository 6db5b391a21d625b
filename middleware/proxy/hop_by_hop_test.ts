import { strict as assert } from "node:assert";
import { stripHopByHop } from "./hop_by_hop.ts";

Deno.test("stripHopByHop() removes the fixed set and every header named in Connection", () => {
  const headers = new Headers({
    "Connection": "keep-alive, X-Private, Close, bad token",
    "Keep-Alive": "timeout=5",
    "Proxy-Connection": "keep-alive",
    "TE": "trailers",
    "Trailer": "Expires",
    "Transfer-Encoding": "chunked",
    "Upgrade": "h2c",
    "Proxy-Authorization": "Basic eA==",
    "X-Private": "1",
    "X-Kept": "2",
    "Content-Type": "text/plain",
  });
  headers.append("Set-Cookie", "a=1");
  headers.append("Set-Cookie", "b=2");
  stripHopByHop(headers);
  assert.deepEqual([...headers], [
    ["content-type", "text/plain"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
    ["x-kept", "2"],
  ]);
});

Deno.test("stripHopByHop() leaves a header list without hop-by-hop headers as it was", () => {
  const headers = new Headers({ "Accept": "text/html", "X-A": "1" });
  assert.deepEqual([...stripHopByHop(headers)], [["accept", "text/html"], [
    "x-a",
    "1",
  ]]);
});
