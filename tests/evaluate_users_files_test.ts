/**
 * `deno task evaluate-users --balabit … --balabit-test … --labels … --json` on a generated split:
 * four synthetic "users" with distinct mouse styles recorded in Balabit's CSV format, two training
 * sessions each, and test folders holding each user's own sessions plus one session of the next
 * user swapped in (is_illegal = 1).
 */
import assert from "node:assert/strict";
import { BALABIT_HEADER } from "../collector/importers/mod.ts";
import { seededRandom } from "../tree/mod.ts";
import type { CliIo } from "../cli.ts";
import { evaluateUsersCli } from "../sim/users/evaluate_users.ts";
import type { FilesReport } from "../sim/users/_files.ts";

/** A movement style: how fast, how curved, how long the pauses, how long a click is held. */
interface Style {
  speed: number;
  bend: number;
  pause: number;
  dwell: number;
}

const STYLES: Style[] = [
  { speed: 0.4, bend: 0.05, pause: 0.2, dwell: 0.06 },
  { speed: 1.6, bend: 0.3, pause: 0.6, dwell: 0.15 },
  { speed: 0.8, bend: 0.6, pause: 0.1, dwell: 0.25 },
  { speed: 2.8, bend: 0.15, pause: 1.0, dwell: 0.1 },
];

/** A Balabit recording of `seconds` of point-and-click moves in a style, 50 events per second. */
function recording(style: Style, seconds: number, seed: number): string {
  const random = seededRandom(seed);
  const lines = [BALABIT_HEADER];
  let t = 0, x = 500, y = 400;
  const row = (button: string, state: string) =>
    lines.push(
      `${t.toFixed(3)},${t.toFixed(3)},${button},${state},${Math.round(x)},${
        Math.round(y)
      }`,
    );
  while (t < seconds) {
    const tx = 50 + random() * 1100, ty = 50 + random() * 700;
    const [x0, y0] = [x, y];
    const distance = Math.hypot(tx - x0, ty - y0);
    const steps = Math.max(
      3,
      Math.round(distance / (style.speed * 20 * (0.8 + 0.4 * random()))),
    );
    for (let i = 1; i <= steps; i++) {
      const u = i / steps;
      const off = Math.sin(Math.PI * u) * style.bend * distance;
      x = x0 + (tx - x0) * u + off * (ty - y0) / (distance || 1);
      y = y0 + (ty - y0) * u - off * (tx - x0) / (distance || 1);
      t += 0.02;
      row("NoButton", "Move");
    }
    row("Left", "Pressed");
    t += style.dwell * (0.8 + 0.4 * random());
    row("Left", "Released");
    t += style.pause * (0.5 + random());
  }
  return lines.join("\n") + "\n";
}

async function writeSplit(dir: string) {
  const labels = ["filename,is_illegal"];
  let id = 0;
  for (const [u, style] of STYLES.entries()) {
    await Deno.mkdir(`${dir}/train/user${u}`, { recursive: true });
    await Deno.mkdir(`${dir}/test/user${u}`, { recursive: true });
    for (let s = 0; s < 2; s++) {
      await Deno.writeTextFile(
        `${dir}/train/user${u}/session_t${u}${s}`,
        recording(style, 100, 100 * u + s),
      );
    }
    // Two of the user's own sessions, then one of the next user's under this user's folder.
    for (const [owner, illegal] of [[u, 0], [u, 0], [(u + 1) % 4, 1]]) {
      const name = `session_${String(++id).padStart(4, "0")}`;
      await Deno.writeTextFile(
        `${dir}/test/user${u}/${name}`,
        recording(STYLES[owner], 40, 1000 + id),
      );
      labels.push(`${name},${illegal}`);
    }
  }
  // A file nobody labelled is not scored.
  await Deno.writeTextFile(
    `${dir}/test/user0/session_unlabelled`,
    recording(STYLES[0], 40, 7),
  );
  await Deno.writeTextFile(`${dir}/labels.csv`, labels.join("\n") + "\n");
}

function capture(): CliIo & { outs: string[]; errs: string[] } {
  const outs: string[] = [], errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

Deno.test("evaluateUsersCli() --balabit-test scores swapped sessions against their claimed user", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-users-files-" });
  try {
    await writeSplit(dir);
    const args = [
      "--balabit",
      `${dir}/train`,
      "--balabit-test",
      `${dir}/test`,
      "--labels",
      `${dir}/labels.csv`,
      "--json",
    ];

    await t.step("prints one JSON report with exact counts", async () => {
      const io = capture();
      const code = await evaluateUsersCli(
        [...args, "--out", `${dir}/r.json`],
        io,
      );
      assert.deepEqual([code, io.errs], [0, []]);
      assert.deepEqual(io.outs.length, 1);
      const report = JSON.parse(io.outs[0]) as FilesReport;
      console.log(
        `sessionAuc ${report.sessionAuc}, meanUserAuc ${report.meanUserAuc}, ` +
          `aucAfter ${JSON.stringify(report.aucAfter)}, rule ${
            JSON.stringify(report.rule)
          }`,
      );
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(`${dir}/r.json`)),
        report,
      );
      assert.deepEqual(report.trainUsers, 4);
      assert.deepEqual(report.profiles, 4);
      assert.deepEqual(report.sessions, {
        labelled: 12,
        genuine: 8,
        impostor: 4,
        unscored: 0,
      });
      assert.deepEqual(report.usersWithAuc, 4);
      assert.deepEqual(report.sessionsAfter, { "1": 12, "3": 12, "6": 12 });
      assert.deepEqual(Object.keys(report.aucAfter), ["1", "3", "6"]);
      // Impostors' sessions score higher (less like the claimed owner) than the owners' own: the
      // styles are far apart, so every impostor session scores above every owner's, and the
      // shipped rule reports no owner and catches every impostor (per-user normalised evidence,
      // at most OWNER_EVIDENCE_SCALE / 2 a window for a score at the others' held-out mean, so
      // after 7 or 8 windows).
      assert(report.sessionAuc > 0.5, `sessionAuc ${report.sessionAuc}`);
      assert.deepEqual(
        [report.sessionAuc, report.meanUserAuc, report.aucAfter],
        [1, 1, { "1": 1, "3": 1, "6": 1 }],
      );
      assert.deepEqual(report.rule, {
        threshold: 16,
        minWindows: 6,
        decay: 0.8,
        ownersReported: 0,
        ownersReportedShare: 0,
        impostorsMissed: 0,
        impostorsMissedShare: 0,
        medianWindowsToVerdict: 7.5,
      });
    });

    await t.step(
      "a labels line with a bad field exits 2 naming file, line and field",
      async () => {
        const bad = `${dir}/bad.csv`;
        await Deno.writeTextFile(
          bad,
          "filename,is_illegal\nsession_0001,0\nsession_0002,yes\n",
        );
        const io = capture();
        const code = await evaluateUsersCli(
          [...args.slice(0, 4), "--labels", bad, "--json"],
          io,
        );
        assert.deepEqual(code, 2);
        assert.deepEqual(io.outs, []);
        assert.deepEqual(io.errs, [
          `evaluate-users: Cannot read labels "${bad}" line 3: field "is_illegal" must be 0 or 1, got "yes"`,
        ]);
      },
    );

    await t.step(
      "a labelled file missing from TEST_DIR exits 2 naming its line",
      async () => {
        const bad = `${dir}/missing.csv`;
        await Deno.writeTextFile(bad, "filename,is_illegal\nsession_9999,1\n");
        const io = capture();
        const code = await evaluateUsersCli(
          [...args.slice(0, 4), "--labels", bad, "--json"],
          io,
        );
        assert.deepEqual(code, 2);
        assert.match(
          io.errs[0],
          /line 2: field "filename" names no file under ".*\/test"$/,
        );
      },
    );

    await t.step(
      "--balabit-test without --labels is a usage error",
      async () => {
        const io = capture();
        const code = await evaluateUsersCli(args.slice(0, 4), io);
        assert.deepEqual(code, 2);
        assert.deepEqual(
          io.errs[0],
          'evaluate-users: Option "--labels" is required with --balabit-test, --labels or --json',
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
