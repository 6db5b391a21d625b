import assert from "node:assert/strict";
import {
  ownerTestWindow as window,
  range,
} from "../../detect/_owner_testing.ts";
import { createProfileWorker } from "./profile_worker.ts";
import { trainHere } from "./profiles.ts";

const OWNER = range(30).map((i) =>
  window(100 + 7 * i, 0.2 + (i % 5) * 0.01, 3)
);
const OTHERS = range(60).map((i) =>
  window(380 + 13 * i, 0.5 + (i % 7) * 0.05, 3)
);

Deno.test("createProfileWorker() trains on its own thread exactly the profile this thread trains (model bytes, calibration, spread)", async () => {
  const here = await trainHere(OWNER, OTHERS, { trees: 5 });
  const worker = createProfileWorker();
  try {
    const there = await worker.train(OWNER, OTHERS, { trees: 5 });
    assert.equal(there.model, here.model);
    assert.deepEqual(there, here);
    // The worker serves the next job too.
    assert.deepEqual(await worker.train(OWNER, OTHERS, { trees: 5 }), here);
  } finally {
    worker.close();
  }
});

Deno.test("createProfileWorker() rejects with training's own error, and closing fails what is in flight", async () => {
  const worker = createProfileWorker();
  try {
    const why = await trainHere(OWNER.slice(0, 2), OTHERS).then(
      () => "trained",
      (e: Error) => e.message,
    );
    assert.notEqual(why, "trained");
    await assert.rejects(
      worker.train(OWNER.slice(0, 2), OTHERS),
      (e: Error) => e.message === why,
    );
    const inFlight = worker.train(OWNER, OTHERS, { trees: 5 });
    worker.close();
    await assert.rejects(inFlight, /Profile worker closed/);
  } finally {
    worker.close();
  }
});
