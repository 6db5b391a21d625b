/**
 * The profile worker's side (profile_worker.ts): trains each job on its own thread and answers.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { trainHere } from "./profiles.ts";
import type {
  ProfileWorkerAnswer,
  ProfileWorkerJob,
} from "./profile_worker.ts";

self.onmessage = async (e: MessageEvent<ProfileWorkerJob>) => {
  const { id, owner, others, verifier } = e.data;
  let answer: ProfileWorkerAnswer;
  try {
    answer = {
      id,
      ok: true,
      profile: await trainHere(owner, others, verifier),
    };
  } catch (error) {
    answer = { id, ok: false, error: (error as Error).message };
  }
  self.postMessage(answer);
};
