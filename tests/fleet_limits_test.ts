/**
 * Issue 14 item 5: the limits hold for the fleet, not per instance. Two instances (two middleware
 * stacks, or two alert workers) on one store, on PostgreSQL and on PGlite.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type Mail, startAlertWorker } from "../alert/mod.ts";
import {
  createAdminAuth,
  createSharedFailureLimiter,
} from "../middleware/admin/mod.ts";
import { createGuardSession } from "../middleware/session/mod.ts";
import { backends, withStore } from "./db_helpers.ts";

const SECRET = "fleet-limits-secret-0123456789abcdef";
const TOKEN = "fleet-admin-token-0123456789";

for (const backend of backends()) {
  Deno.test({
    name:
      `a client opening new sessions through two instances gets NEW_SESSIONS_PER_MIN of one (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const instance = () =>
          new Hono().use(createGuardSession({
            secret: SECRET,
            newSessionsPerMin: 3,
            sharedCount: store.hitRateWindow,
          })).get("*", (c) => c.text("page"));
        const apps = [instance(), instance()];
        const statuses = [];
        for (let i = 0; i < 6; i++) {
          const res = await apps[i % 2].request("/", {
            headers: { "user-agent": "flood/1.0" },
          });
          await res.body?.cancel();
          statuses.push(res.status);
        }
        assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
      }),
  });

  Deno.test({
    name:
      `a guesser spreading admin token guesses over two instances is locked out after 10 in all (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const instance = () => {
          const auth = createAdminAuth({
            token: TOKEN,
            prefix: "/__guard",
            limiter: createSharedFailureLimiter(store),
          });
          return new Hono().use(auth.require).get("*", (c) => c.text("ok"));
        };
        const apps = [instance(), instance()];
        const bearer = (token: string) => ({
          headers: { authorization: `Bearer ${token}` },
        });
        const statuses = [];
        for (let i = 0; i < 10; i++) {
          const res = await apps[i % 2].request("/x", bearer(`wrong-${i}`));
          await res.body?.cancel();
          statuses.push(res.status);
        }
        assert.deepEqual(statuses, Array(10).fill(401));
        // Each instance saw only 5 failures; together they are 10: even the right token waits.
        for (const app of apps) {
          const res = await app.request("/x", bearer(TOKEN));
          await res.body?.cancel();
          assert.equal(res.status, 429);
          assert.equal(res.headers.get("retry-after"), "60");
        }
      }),
  });

  Deno.test({
    name:
      `two instances' alert workers share ALERT_MAX_PER_HOUR: a swarm of 6 detections is 3 emails (2 alone, one digest of 2) and the rest waits (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const sent: Mail[] = [];
        const mailer = {
          send: (mail: Mail) => Promise.resolve(void sent.push(mail)),
          close() {},
        };
        const t0 = Date.now() + 1000;
        const workers = [0, 1].map(() =>
          startAlertWorker(store, mailer, {
            maxPerHour: 3,
            pollMs: 0,
            batch: 2,
            linkFor: (id) => `https://x/${id}`,
            now: () => new Date(t0),
          })
        );
        for (let i = 0; i < 6; i++) {
          await store.enqueueAlert({
            session: `s${i}`,
            kind: "detection",
            payload: { evidence: 3 },
            dedupeKey: `detection:s${i}`,
          });
        }
        // Each worker claims two alerts: 2 single emails, then the last email is a digest of two,
        // then the budget of the fleet is spent and the last two wait.
        const counts = [];
        for (const w of [...workers, ...workers]) counts.push(await w.tick());
        assert.deepEqual(counts, [2, 2, 0, 0]);
        assert.equal(sent.length, 3);
        for (const w of workers) await w.stop();
      }),
  });
}
