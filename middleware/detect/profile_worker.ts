/**
 * Profile training in a Web Worker: a profile takes about 0.4 s of CPU (two forests), which on
 * the guard's own thread would stall every request it proxies for as long. The guard's retrain
 * timer (profiles.ts `startProfileRetrain`) trains through one worker per run; the windows go in
 * by structured clone, the serialised profile comes back, byte for byte what training on the
 * calling thread gives (tested).
 *
 * @module
 */
import type { OwnerWindow, VerifierOptions } from "../../detect/mod.ts";
import type { ProfileTrainer, SerializedProfile } from "./profiles.ts";

interface Job {
  id: number;
  owner: readonly OwnerWindow[];
  others: readonly OwnerWindow[];
  verifier?: VerifierOptions;
}

type Answer =
  | { id: number; ok: true; profile: SerializedProfile }
  | { id: number; ok: false; error: string };

/** A worker that trains profiles one at a time; `close` ends it (jobs in flight are failed). */
export function createProfileWorker(): {
  train: ProfileTrainer;
  close(): void;
} {
  const worker = new Worker(
    new URL("./_profile_worker_main.ts", import.meta.url),
    {
      type: "module",
    },
  );
  const pending = new Map<number, PromiseWithResolvers<SerializedProfile>>();
  let next = 0;
  worker.onmessage = (e: MessageEvent<Answer>) => {
    const job = pending.get(e.data.id);
    if (job === undefined) return;
    pending.delete(e.data.id);
    if (e.data.ok) job.resolve(e.data.profile);
    else job.reject(new Error(e.data.error));
  };
  worker.onerror = (e) => {
    e.preventDefault();
    for (const job of pending.values()) job.reject(new Error(e.message));
    pending.clear();
  };
  return {
    train(owner, others, verifier) {
      const id = next++;
      const done = Promise.withResolvers<SerializedProfile>();
      pending.set(id, done);
      worker.postMessage({ id, owner, others, verifier } satisfies Job);
      return done.promise;
    },
    close() {
      worker.terminate();
      for (const job of pending.values()) {
        job.reject(new Error("Profile worker closed"));
      }
      pending.clear();
    },
  };
}

export type { Answer as ProfileWorkerAnswer, Job as ProfileWorkerJob };
