/**
 * `WORKERS=N` (workers.ts): main.ts as operators run it, supervising N guard processes on one
 * port. Real PostgreSQL (a fresh database), a real upstream, real TCP connections; which worker
 * holds a connection is read from the kernel (/proc/net/tcp and each worker's descriptors).
 */
import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import {
  baseEnv,
  startGuardProcess,
  startTaskArgs,
} from "../sim/browsers/guard_process.ts";
import { DATABASE_URL } from "./db_helpers.ts";
import { freshDatabase } from "./_fleet.ts";

Deno.test("loadConfig() refuses WORKERS above 1 without DATABASE_URL or UPSTREAM_URL", () => {
  const result = loadConfig({ WORKERS: "2" });
  assert.deepEqual(result, {
    ok: false,
    errors: [
      "WORKERS: more than 1 needs DATABASE_URL (PGlite is one process's)",
      "WORKERS: more than 1 needs UPSTREAM_URL (the demo site is one process's)",
    ],
  });
  const one = loadConfig({ WORKERS: "1" });
  assert.equal(one.ok && one.config.WORKERS, 1);
});

/** Pids of the processes started with `GUARD_SECRET=secret`, by their GUARD_WORKER. */
function workerPids(secret: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let environ: string[];
    try {
      environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`).split(
        "\0",
      );
    } catch {
      continue;
    }
    if (!environ.includes(`GUARD_SECRET=${secret}`)) continue;
    const worker = environ.find((e) => e.startsWith("GUARD_WORKER="));
    if (worker !== undefined) out.set(worker.slice(13), Number(entry.name));
  }
  return out;
}

/** The inode of the guard-side socket of a connection from local `clientPort` to `serverPort`. */
function serverSocketInode(serverPort: number, clientPort: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
  for (
    const line of Deno.readTextFileSync("/proc/net/tcp").split("\n").slice(1)
  ) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (
      f[1].endsWith(`:${hex(serverPort)}`) &&
      f[2].endsWith(`:${hex(clientPort)}`)
    ) {
      return f[9];
    }
  }
  throw new Error(`No server socket for client port ${clientPort}`);
}

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const link = Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`);
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) out.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

const PAGE =
  "<!doctype html><html><head><title>w</title></head><body>hi</body></html>";

Deno.test({
  name:
    "WORKERS=2 serves one port from two guard processes that share sessions",
  ignore: DATABASE_URL === undefined && Deno.env.get("CI") !== "true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
    }, () => new Response(PAGE, { headers: { "content-type": "text/html" } }));
    const db = await freshDatabase(DATABASE_URL!);
    const secret = `workers-test-${crypto.randomUUID()}`;
    const guard = await startGuardProcess({
      UPSTREAM_URL: `http://127.0.0.1:${upstream.addr.port}`,
      DATABASE_URL: db.url,
      WORKERS: "2",
      GUARD_SECRET: secret,
      MODE: "monitor",
    });
    try {
      const pids = workerPids(secret);
      assert.deepEqual([...pids.keys()].sort(), ["1", "2"]);
      const port = Number(new URL(guard.url).port);

      // 24 connections, each with one request answered: the kernel spreads them over both.
      const conns: Deno.TcpConn[] = [];
      const holders = new Map<string, number>();
      for (let i = 0; i < 24; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conns.push(conn);
        await conn.write(new TextEncoder().encode(
          "GET /missing.css HTTP/1.1\r\nHost: x\r\nAccept: text/css\r\n\r\n",
        ));
        await conn.read(new Uint8Array(4096));
        const inode = serverSocketInode(port, conn.localAddr.port);
        for (const [n, pid] of pids) {
          if (socketInodes(pid).has(inode)) {
            holders.set(n, (holders.get(n) ?? 0) + 1);
          }
        }
      }
      for (const conn of conns) conn.close();
      assert.equal((holders.get("1") ?? 0) + (holders.get("2") ?? 0), 24);
      assert.ok(
        (holders.get("1") ?? 0) > 0 && (holders.get("2") ?? 0) > 0,
        `${[...holders]}`,
      );

      // A session minted by one worker is the session on every worker (one GUARD_SECRET, one
      // database): ten fresh connections with its cookie get pages and no new session.
      const first = await fetch(guard.url + "/");
      const page = await first.text();
      assert.match(page, /<script src="\/__guard\/c\.[0-9a-f]+\.js"/);
      const cookie = first.headers.getSetCookie().map((c) => c.split(";")[0])
        .join("; ");
      assert.match(cookie, /^__guard_sid=/);
      for (let i = 0; i < 10; i++) {
        const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
        const res = await fetch(guard.url + "/", {
          headers: { cookie },
          client,
        });
        assert.equal(res.status, 200);
        assert.match(await res.text(), /<script src="\/__guard\/c\./);
        assert.deepEqual(
          res.headers.getSetCookie().filter((c) =>
            c.startsWith("__guard_sid=")
          ),
          [],
        );
        client.close();
      }
    } finally {
      const pids = workerPids(secret);
      await guard.stop();
      for (const pid of pids.values()) {
        assert.throws(
          () => Deno.statSync(`/proc/${pid}`),
          Deno.errors.NotFound,
        );
      }
      await db.drop();
      await upstream.shutdown();
    }
  },
});

Deno.test({
  name: "WORKERS=2: a worker that dies takes the guard down with exit code 1",
  ignore: DATABASE_URL === undefined && Deno.env.get("CI") !== "true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(PAGE, { headers: { "content-type": "text/html" } }),
    );
    const db = await freshDatabase(DATABASE_URL!);
    const secret = `workers-test-${crypto.randomUUID()}`;
    const child = new Deno.Command(Deno.execPath(), {
      args: startTaskArgs(),
      env: {
        ...baseEnv(),
        UPSTREAM_URL: `http://127.0.0.1:${upstream.addr.port}`,
        DATABASE_URL: db.url,
        WORKERS: "2",
        GUARD_SECRET: secret,
        PORT: "0",
        HOSTNAME: "127.0.0.1",
        LOG_LEVEL: "error",
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    try {
      // Read stdout to its end (a closed pipe would fail the guard's writes), noting the line.
      const listening = Promise.withResolvers<void>();
      const drained = (async () => {
        let out = "";
        for await (
          const text of child.stdout.pipeThrough(new TextDecoderStream())
        ) {
          out += text;
          if (/^Guard listening on /m.test(out)) listening.resolve();
        }
        listening.reject(
          new Error(`The guard exited before listening: ${out}`),
        );
      })();
      await listening.promise;
      const pids = workerPids(secret);
      assert.deepEqual([...pids.keys()].sort(), ["1", "2"]);
      Deno.kill(pids.get("2")!, "SIGKILL");
      const status = await child.status;
      await drained;
      assert.equal(status.code, 1);
      assert.throws(
        () => Deno.statSync(`/proc/${pids.get("1")}`),
        Deno.errors.NotFound,
      );
      assert.match(
        await new Response(child.stderr).text(),
        /guard worker exited: stopping the others/,
      );
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      await db.drop();
      await upstream.shutdown();
    }
  },
});
