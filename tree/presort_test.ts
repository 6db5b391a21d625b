import assert from "node:assert/strict";
import { presort } from "./_presort.ts";
import { seededRandom } from "./dataset.ts";

Deno.test("presort() orders values ascending, ties by row, NaN last", () => {
  const random = seededRandom(5);
  const specials = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -1e-40, 3.5, -3.5];
  const n = 3000;
  const X = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    const r = random();
    X[i] = r < 0.2
      ? specials[Math.floor(random() * specials.length)]
      : r < 0.5
      ? Math.round(random() * 10) - 5
      : (random() - 0.5) * 1e6;
  }
  const ps = presort(X, n, 2);
  for (let f = 0; f < 2; f++) {
    const col = X.subarray(f * n, (f + 1) * n);
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = col[a], y = col[b];
      if (Number.isNaN(x) || Number.isNaN(y)) {
        return Number(Number.isNaN(x)) - Number(Number.isNaN(y)) || a - b;
      }
      return x - y || a - b;
    });
    assert.deepEqual(
      Array.from(ps.order.subarray(f * n, (f + 1) * n)),
      expected,
    );
    assert.deepEqual(
      Array.from(ps.values.subarray(f * n, (f + 1) * n)),
      expected.map((i) => col[i]),
    );
  }
});
