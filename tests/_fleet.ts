/**
 * A fleet for the end-to-end tests of issue 14 item 5: N guard processes (main.ts as operators run
 * it, enforce mode) on one fresh PostgreSQL database, in front of one demo site, behind nginx
 * round-robin (`upstream { server …; server …; }`, no ip_hash), started from a generated config in
 * a temp dir (`daemon off`, pid and error log in the dir).
 *
 * @module
 */
import postgres from "postgres";
import { startDemo } from "../demo/mod.ts";
import {
  type GuardProcess,
  startGuardProcess,
} from "../sim/browsers/guard_process.ts";

/** nginx's path, or null when it is not installed. */
export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}) ?? null;

/** A running fleet. */
export interface Fleet {
  /** Where clients go: nginx with N guards, or the one guard itself when N is 1. */
  url: string;
  /** Stops nginx, the guards, the demo, and drops the database. */
  close(): Promise<void>;
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A fresh database on the server of `databaseUrl`, and how to drop it. */
export async function freshDatabase(databaseUrl: string) {
  const name = `guard_fleet_${randomHex(6)}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      await admin`drop database if exists ${admin(name)} with (force)`
        .finally(() => admin.end());
    },
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The nginx config: round-robin over the guards, no ip_hash, nothing buffered to disk. */
export function nginxConfig(dir: string, port: number, guards: string[]) {
  const servers = guards.map((g) => `    server ${new URL(g).host};`);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((k) =>
    `  ${k}_temp_path ${dir}/${k};`
  );
  return [
    "daemon off;",
    "worker_processes 1;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    "events { worker_connections 512; }",
    "http {",
    "  access_log off;",
    ...temp,
    "  upstream guards {",
    ...servers,
    "  }",
    "  server {",
    `    listen 127.0.0.1:${port};`,
    "    location / {",
    "      proxy_pass http://guards;",
    "      proxy_http_version 1.1;",
    '      proxy_set_header Connection "";',
    "      proxy_set_header Host $http_host;",
    "      proxy_buffering off;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
}

async function startNginx(guards: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "guard-fleet-nginx-" });
  const port = freePort();
  await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConfig(dir, port, guards));
  const child = new Deno.Command(NGINX!, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    const ok = await fetch(`${url}/__guard/healthz`).then(async (r) => {
      await r.body?.cancel();
      return r.status === 200;
    }, () => false);
    if (ok) break;
    if (i > 100) {
      child.kill("SIGKILL");
      await child.output().catch(() => {});
      throw new Error(`nginx did not start: ${await errorLog(dir)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function errorLog(dir: string): Promise<string> {
  return Deno.readTextFile(`${dir}/error.log`).catch(() => "(no error log)");
}

/**
 * Starts `n` guards (same GUARD_SECRET, one fresh database, one demo site) and, for n > 1, nginx
 * round-robin in front of them.
 */
export async function startFleet(
  n: number,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<Fleet> {
  const demo = startDemo();
  const db = await freshDatabase(databaseUrl);
  const guards: GuardProcess[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | null = null;
  const close = async () => {
    await nginx?.stop();
    for (const g of guards) await g.stop().catch(() => {});
    await demo.shutdown();
    await db.drop();
  };
  try {
    const shared = {
      MODE: "enforce",
      UPSTREAM_URL: demo.url,
      DATABASE_URL: db.url,
      GUARD_SECRET: randomHex(32),
      MODEL_PATH: new URL("../data/model.json", import.meta.url).pathname,
      LOGIN_URL: "/login",
      ...env,
    };
    // One at a time: the first applies the migrations (the others would wait on its lock).
    for (let i = 0; i < n; i++) guards.push(await startGuardProcess(shared));
    if (n > 1) nginx = await startNginx(guards.map((g) => g.url));
    return { url: nginx?.url ?? guards[0].url, close };
  } catch (error) {
    await close();
    throw error;
  }
}
