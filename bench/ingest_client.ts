/**
 * The load generator of bench/ingest.ts, run in a Worker so the client and the server each get a
 * core. Receives `{ url, n, cookies, pages, bodies }`, posts, and replies with latencies. Each
 * session's windows follow one another (t0 = seq · 5000) on its page.
 *
 * @module
 */
interface Job {
  url: string;
  n: number;
  cookies: string[];
  /** Each session's page token. */
  pages: string[];
  bodies: string[];
}

/** The worker's global scope (this file runs only as a Worker). */
const scope = self as unknown as {
  onmessage: (e: MessageEvent<Job>) => void;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<Job>) => {
  const { url, n, cookies, pages, bodies } = e.data;
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const statuses: Record<number, number> = {};
  const t0 = performance.now();
  await Promise.all(cookies.map(async (cookie, k) => {
    for (let seq = 1; next < n; seq++) {
      next++;
      const s = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: bodies[seq % bodies.length]
          .replace('"seq":0', `"seq":${seq}`)
          .replace('"PAGE"', `"${pages[k]}"`)
          .replace(
            '"t0":0,"t1":4999',
            `"t0":${seq * 5000},"t1":${seq * 5000 + 4999}`,
          ),
      });
      await res.body?.cancel();
      latencies.push(performance.now() - s);
      if (res.status !== 200) failed++;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }));
  scope.postMessage({
    latencies,
    failed,
    statuses,
    ms: performance.now() - t0,
  });
};
