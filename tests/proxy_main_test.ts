import { strict as assert } from "node:assert";
import { baseEnv } from "../sim/browsers/guard_process.ts";
import { signal, startTaskArgs, within } from "./proxy_fixtures.ts";

type Guard = {
  url: string;
  child: Deno.ChildProcess;
  output: () => string;
};

/** Starts main.ts as `deno task start` would and waits for its "Guard listening" line. */
async function startMain(env: Record<string, string>): Promise<Guard> {
  const child = new Deno.Command(Deno.execPath(), {
    args: startTaskArgs(),
    env: {
      ...baseEnv(),
      PORT: "0",
      PGLITE_DIR: "memory://",
      LOG_LEVEL: "warn",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = signal<string>();
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk);
      const match = text.match(/Guard listening on (http:\/\/localhost:\d+) /);
      if (match) listening.resolve(match[1]);
    }
  };
  pump(child.stdout);
  pump(child.stderr);
  const exited = child.status.then((s) => {
    throw new Error(`main.ts exited with ${s.code}: ${text}`);
  });
  exited.catch(() => {});
  const url = await within(
    Promise.race([listening.promise, exited]),
    60_000,
    "main.ts to listen",
  );
  return { url, child, output: () => text };
}

Deno.test("main.ts reports every bad variable on one line and exits 1", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: startTaskArgs(),
    env: {
      ...baseEnv(),
      PORT: "http",
      GUARD_PREFIX: "guard",
      UPSTREAM_TIMEOUT_MS: "5",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const lines = new TextDecoder().decode(out.stderr).split("\n");
  assert.equal(lines.length, 2, "one line, then the final newline");
  const [head, problems] = lines[0].match(
    /^Invalid configuration: (.*)\. Fix/,
  )!;
  assert.ok(head);
  assert.deepEqual(problems.split("; ").map((p) => p.split(":")[0]).sort(), [
    "GUARD_PREFIX",
    "PORT",
    "UPSTREAM_TIMEOUT_MS",
  ]);
});

// One process for both tests below: opening the embedded store takes most of the start time.
Deno.test("main.ts serves the demo site behind the guard and drains on SIGTERM", async (t) => {
  const guard = await startMain({ LOG_LEVEL: "info" });
  let exited = false;
  try {
    await t.step("demo site with login, gated pages and logout", async () => {
      await demoFlow(guard);
    });
    await t.step("an in-flight request completes after SIGTERM", async () => {
      const rest = signal();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("username=bo&pass"));
          await rest.promise;
          controller.enqueue(new TextEncoder().encode("word=demo"));
          controller.close();
        },
      });
      const pending = fetch(`${guard.url}/login`, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
        // @ts-ignore: duplex is needed for a streamed request body
        duplex: "half",
      });
      await new Promise((r) => setTimeout(r, 300));
      guard.child.kill("SIGTERM");
      await within(
        (async () => {
          while (!guard.output().includes('"signal":"SIGTERM"')) {
            await new Promise((r) => setTimeout(r, 20));
          }
        })(),
        10_000,
        "the shutdown log line",
      );
      rest.resolve();
      const res = await pending;
      await res.body?.cancel();
      assert.equal(res.status, 303, guard.output());
      assert.ok(demoCookie(res), "the demo's session cookie");
      assert.equal((await guard.child.status).code, 0);
      exited = true;
    });
  } finally {
    if (!exited) {
      guard.child.kill("SIGKILL");
      await guard.child.status;
    }
  }
});

async function demoFlow(guard: Guard): Promise<void> {
  assert.match(
    guard.output(),
    /→ upstream http:\/\/127\.0\.0\.1:\d+ \(built-in demo site\) {2}Open http:\/\/localhost:\d+\//,
  );
  const home = await fetch(`${guard.url}/`);
  const html = await home.text();
  assert.match(
    html,
    /<script src="\/__guard\/c\.[0-9a-f]+\.js" data-ingest="\/__guard\/ingest" data-window="5000" data-page="[0-9a-z]+\.[\w-]{12}\.[\w-]{22}" async><\/script><\/head>/,
  );
  const gated = await fetch(`${guard.url}/article`, { redirect: "manual" });
  await gated.body?.cancel();
  assert.equal(gated.status, 303);
  assert.equal(gated.headers.get("location"), "/login?next=%2Farticle");
  const bad = await fetch(`${guard.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username: "ann", password: "nope" }),
  });
  assert.equal(bad.status, 401);
  await bad.text();
  const login = await fetch(`${guard.url}/login`, {
    method: "POST",
    body: new URLSearchParams({
      username: "ann",
      password: "demo",
      next: "/profile",
    }),
    redirect: "manual",
  });
  await login.body?.cancel();
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/profile");
  const cookie = demoCookie(login);
  assert.match(
    cookie,
    /^session=[0-9a-f-]{36}; Path=\/; HttpOnly; SameSite=Lax$/,
  );
  const session = cookie.split(";")[0];
  const article = await fetch(`${guard.url}/article`, {
    headers: { cookie: session },
  });
  assert.equal(article.status, 200);
  const text = await article.text();
  assert.match(text, /<h2>Part 12<\/h2>/);
  assert.match(text, /Log out \(ann\)/);
  const logout = await fetch(`${guard.url}/logout`, {
    headers: { cookie: session },
    redirect: "manual",
  });
  await logout.body?.cancel();
  assert.equal(
    demoCookie(logout),
    "session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
  );
  const after = await fetch(`${guard.url}/profile`, {
    headers: { cookie: session },
    redirect: "manual",
  });
  await after.body?.cancel();
  assert.equal(after.status, 303);
}

/** The demo's own `session` cookie (the guard may set cookies of its own beside it). */
function demoCookie(res: Response): string {
  return res.headers.getSetCookie().find((c) => c.startsWith("session=")) ?? "";
}
