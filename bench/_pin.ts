/**
 * CPU pinning for the long-task bench on Linux: the page's renderer main thread alone on one core,
 * everything else (this script, the browser, the renderer's other threads) on the other. On a
 * 2-core box the main thread is otherwise preempted by the driver, the browser process and its own
 * compositor and IO threads, and a task's wall time says more about them than about its code.
 * With the main thread alone on its core, wall time is close to the thread's CPU time, as on a
 * visitor's machine with cores to spare.
 *
 * @module
 */

/** The renderer flag that starts every renderer on `core` (the renderer's own threads follow). */
export function rendererOnCore(core: number): string {
  return `--renderer-cmd-prefix=taskset -c ${core}`;
}

async function taskset(args: string[]): Promise<void> {
  const out = await new Deno.Command("taskset", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `taskset ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/** Moves every thread of this process (and so what it starts later) to `core`. */
export async function pinSelf(core: number): Promise<void> {
  await taskset(["-a", "-p", "-c", String(core), String(Deno.pid)]);
}

function parentOf(pid: string): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  } catch {
    return undefined;
  }
}

/**
 * For every renderer under the browser `browserPid` (its child or grandchild, through the zygote):
 * the main thread (tid = pid) to `mainCore`, its other threads to `otherCore`. Threads a renderer
 * starts later inherit their creator's core, so call it again after navigations. A process or
 * thread that ends meanwhile is skipped.
 */
export async function pinRendererMain(
  browserPid: number,
  mainCore: number,
  otherCore: number,
): Promise<void> {
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = entry.name;
    if (!/^\d+$/.test(pid)) continue;
    let cmdline: string;
    try {
      cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    } catch {
      continue;
    }
    if (!cmdline.includes("--type=renderer")) continue;
    const parent = parentOf(pid);
    const ours = parent === String(browserPid) ||
      (parent !== undefined && parentOf(parent) === String(browserPid));
    if (!ours) continue;
    let tasks: string[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${pid}/task`)].map((t) => t.name);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const core = tid === pid ? mainCore : otherCore;
      await taskset(["-p", "-c", String(core), tid]).catch(() => {});
    }
  }
}
