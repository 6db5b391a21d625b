import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { openTestStore } from "./detect_harness.ts";
import { createMailer, startAlertWorker } from "../alert/mod.ts";

interface Received {
  to: string[];
  data: string;
}

/** A real SMTP server (smtp-server) on 127.0.0.1, plain text, collecting what it receives. */
async function startSmtp(port: number, inbox: Received[]) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          data: new TextDecoder().decode(
            new Uint8Array(chunks.flatMap((c) => [...c])),
          ),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Decodes the quoted-printable body (RFC 2045 §6.7): soft breaks joined, =XX bytes as UTF-8. */
function unfold(s: string): string {
  const joined = s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(joined[i]));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function payload(evidence: number) {
  return {
    mode: "enforce",
    action: "logged out",
    evidence,
    threshold: 6,
    windows: 3,
    scores: [0.99, 1, 1],
    modelVersion: "abc123",
    topFeatures: [{ feature: "speed_std", importance: 0.5 }],
    path: [{ feature: "speed_std", threshold: 12.5, value: 0, wentLeft: true }],
  };
}

Deno.test("startAlertWorker() delivers once per session, survives SMTP outage, digests a swarm", async () => {
  const { store, close } = await openTestStore();
  const inbox: Received[] = [];
  let smtp = await startSmtp(0, inbox);
  const port = smtp.port;
  const mailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: "guard@example.com",
    to: ["admin@example.com"],
    timeoutMs: 2000,
  });
  // Ahead of the database clock, so alerts enqueued during the test are due at once.
  let clock = new Date(Date.now() + 60_000);
  const worker = startAlertWorker(store, mailer, {
    maxPerHour: 3,
    pollMs: 0,
    backoffBaseMs: 1000,
    now: () => clock,
    linkFor: (id) => `https://site.example/__guard/admin/sessions/${id}`,
  });
  const enqueue = (session: string) =>
    store.enqueueAlert({
      session,
      kind: "detection",
      payload: payload(7.5),
      dedupeKey: `detection:${session}`,
    });
  try {
    // One email per detected session: the second enqueue is deduplicated.
    assert.equal(await enqueue("s1"), true);
    assert.equal(await enqueue("s1"), false);
    assert.equal(await worker.tick(), 1);
    assert.equal(await worker.tick(), 0);
    assert.equal(inbox.length, 1);
    assert.deepEqual(inbox[0].to, ["admin@example.com"]);
    const first = unfold(inbox[0].data);
    assert.match(first, /Subject: \[guard\] Bot detected: session s1/);
    assert.match(
      first,
      /Session details: https:\/\/site.example\/__guard\/admin\/sessions\/s1/,
    );
    assert.match(first, /speed_std = 0.00 ≤ 12.50/);

    // SMTP down: the alert waits (backoff), then goes out when the server is back on the same port.
    await smtp.close();
    assert.equal(await enqueue("s2"), true);
    assert.equal(await worker.tick(), 0);
    smtp = await startSmtp(port, inbox);
    assert.equal(await worker.tick(), 0, "not due before its backoff");
    clock = new Date(clock.getTime() + 1500);
    assert.equal(await worker.tick(), 1);
    assert.equal(inbox.length, 2);
    assert.match(unfold(inbox[1].data), /session s2/);

    // Budget 3/hour, 2 used: three due alerts become one digest.
    for (const s of ["s3", "s4", "s5"]) await enqueue(s);
    assert.equal(await worker.tick(), 3);
    assert.equal(inbox.length, 3);
    const digest = unfold(inbox[2].data);
    assert.match(
      digest,
      /Subject: \[guard\] 3 bot sessions detected \(digest\)/,
    );
    for (const s of ["s3", "s4", "s5"]) {
      assert.match(digest, new RegExp(`admin/sessions/${s}`));
    }

    // Budget exhausted: the next alert waits for the hour to roll over; nothing is lost.
    await enqueue("s6");
    assert.equal(await worker.tick(), 0);
    assert.equal(inbox.length, 3);
    clock = new Date(clock.getTime() + 3_600_000);
    assert.equal(await worker.tick(), 1);
    assert.equal(inbox.length, 4);
    assert.match(unfold(inbox[3].data), /session s6/);
    assert.equal(await worker.tick(), 0);
  } finally {
    await worker.stop();
    mailer.close();
    await smtp.close();
    await close();
  }
});
