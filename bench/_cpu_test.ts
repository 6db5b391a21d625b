import assert from "node:assert/strict";
import postgres from "postgres";
import { backendCpuUs, processCpuUs } from "./_cpu.ts";
import { backends, DATABASE_URL } from "../tests/db_helpers.ts";

Deno.test("processCpuUs() grows with work done on this thread", () => {
  // Busy until 20 ms of CPU are counted: however loaded the machine, that comes within seconds.
  const before = processCpuUs();
  const deadline = performance.now() + 10_000;
  let x = 0;
  while (processCpuUs() - before < 20_000 && performance.now() < deadline) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + i);
  }
  assert.ok(x > 0);
  assert.ok(
    processCpuUs() - before >= 20_000,
    "no CPU counted in 10 s of busy loop",
  );
});

Deno.test("backendCpuUs() is NaN without a database URL", async () => {
  assert.ok(Number.isNaN(await backendCpuUs(undefined, "any")));
});

Deno.test({
  name: "backendCpuUs() sums the CPU of the backends named by application_name",
  ignore: backends()[0].ignore,
  fn: async () => {
    const app = `cpu_test_${crypto.randomUUID().slice(0, 8)}`;
    assert.equal(await backendCpuUs(DATABASE_URL, app), 0); // no such backend
    const sql = postgres(DATABASE_URL!, {
      max: 1,
      connection: { application_name: app },
    });
    try {
      await sql`select count(*) from generate_series(1, 3000000)`;
      const busy = await backendCpuUs(DATABASE_URL, app);
      assert.ok(busy >= 10_000, `${busy} µs after counting 3 million rows`);
    } finally {
      await sql.end();
    }
  },
});
