import assert from "node:assert/strict";
import { cliArgs, type CliCommand, runCli, wantsHelp } from "./cli.ts";

function capture() {
  const out: string[] = [], err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

const HELP = "Usage: demo [--n N]\nExample: demo --n 2";

function demo(run: (n: number) => number): CliCommand<number> {
  return {
    name: "demo",
    help: HELP,
    parse: (args) => {
      const n = Number(
        cliArgs(args, { options: { n: { type: "string", default: "1" } } })
          .values.n,
      );
      if (!Number.isInteger(n)) {
        throw new RangeError("Option --n: not an integer");
      }
      return n;
    },
    run,
  };
}

Deno.test("wantsHelp() sees --help and -h only before --", () => {
  assert.equal(wantsHelp(["--n", "2", "--help"]), true);
  assert.equal(wantsHelp(["-h"]), true);
  assert.equal(wantsHelp(["--", "--help"]), false);
  assert.equal(wantsHelp(["--n", "2"]), false);
});

Deno.test("cliArgs() throws node's parse errors as one-line TypeErrors", () => {
  const options = { n: { type: "string" } } as const;
  assert.throws(() => cliArgs(["--bogus"], { options }), {
    name: "TypeError",
    message: "Unknown option '--bogus'",
  });
  assert.throws(() => cliArgs(["x"], { options }), {
    name: "TypeError",
    message: "Unexpected argument 'x'",
  });
  assert.throws(() => cliArgs(["--n"], { options }), {
    name: "TypeError",
    message: "Option '--n <value>' argument missing",
  });
  assert.deepEqual({ ...cliArgs(["--n", "3"], { options }).values }, {
    n: "3",
  });
});

Deno.test("runCli() exit codes: 0 help or done, 2 bad arguments, 1 when the body throws", async (t) => {
  await t.step("help on stdout, body not run", async () => {
    const c = capture();
    assert.equal(await runCli(demo(() => 9), ["--n", "x", "--help"], c.io), 0);
    assert.deepEqual(c.out, [HELP]);
    assert.deepEqual(c.err, []);
  });
  await t.step("the body's code", async () => {
    const c = capture();
    assert.equal(await runCli(demo((n) => n + 1), ["--n", "4"], c.io), 5);
    assert.deepEqual([c.out, c.err], [[], []]);
  });
  await t.step("unknown option and bad value: reason, then help", async () => {
    for (
      const [args, reason] of [
        [["--m"], "Unknown option '--m'"],
        [["--n", "x"], "Option --n: not an integer"],
      ]
    ) {
      const c = capture();
      assert.equal(await runCli(demo(() => 0), args as string[], c.io), 2);
      assert.deepEqual(c.err, [`demo: ${reason}`, HELP]);
      assert.deepEqual(c.out, []);
    }
  });
  await t.step("a failing body: one line, exit 1", async () => {
    const c = capture();
    const fail = demo(() => {
      throw new Error('Cannot read "x.csv": not found');
    });
    assert.equal(await runCli(fail, [], c.io), 1);
    assert.deepEqual(c.err, ['demo: Cannot read "x.csv": not found']);
  });
});
