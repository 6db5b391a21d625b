/** Table rows of docs/user_verification.md: per-user and pooled metrics from measured scores. */
import {
  MIN_OWNER_WINDOWS,
  RECOMMENDED_OWNER_WINDOWS,
} from "../../detect/verifier.ts";
import {
  SESSION_KS,
  TEST_PER_SESSION,
  type UserData,
  type UserScores,
} from "./_protocol.ts";
import {
  equalErrorRate,
  errorRates,
  type Level,
  levelScores,
  perUser,
  ratesAtOwnThresholds,
  type Summary,
  verificationAuc,
} from "./verification_metrics.ts";

/** One compared configuration on the development users (means over users). */
export interface SelectionRow {
  name: string;
  windowAuc: number;
  windowEer: number;
  k3Mean: number;
  k3LogOdds: number;
  k6Mean: number;
  k6LogOdds: number;
  seconds: number;
}

/** The per-window level. */
export const WINDOW: Level = { window: true, perSession: TEST_PER_SESSION };
const KS = SESSION_KS;
/** The first-k-windows session level (mean P(owner)). */
export const at = (k: number): Level => ({ k, aggregate: "mean" });
const LEVELS: [string, Level][] = [
  ["each 5-s window", WINDOW],
  ...KS.map((k) =>
    [`session, first ${k} (${5 * k} s)`, at(k)] as [
      string,
      Level,
    ]
  ),
];

/** An AUC with 3 decimals. */
export const auc = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(3));
/** A rate in percent with 1 decimal. */
export const pct = (
  x: number,
) => (Number.isNaN(x) ? "–" : `${(100 * x).toFixed(1)} %`);
const spread = (s: Summary, f: (x: number) => string) =>
  `${f(s.mean)} ± ${f(s.sd).replace(" %", "")} (${f(s.min)}–${f(s.max)})`;

/** A Markdown table. */
export function table(head: string[], body: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** Per-user and pooled AUC/EER at every level, one row per level. */
export function resultRows(
  scores: readonly UserScores[],
  label: string,
): string[][] {
  return LEVELS.map(([name, level]) => {
    const u = perUser(scores, level);
    const p = levelScores(scores, level);
    return [
      label,
      name,
      String(u.auc.n),
      spread(u.auc, auc),
      `${auc(u.auc.median)}`,
      spread(u.eer, pct),
      auc(verificationAuc(p.genuine, p.impostor)),
      pct(equalErrorRate(p.genuine, p.impostor).eer),
    ];
  });
}

/** Columns of {@link resultRows}. */
export const RESULT_HEAD = [
  "population",
  "decision on",
  "users",
  "AUC per user, mean ± sd (min–max)",
  "median",
  "EER per user, mean ± sd (min–max)",
  "pooled AUC",
  "pooled EER",
];

/** Columns of {@link operatingRows} and {@link ownRows}. */
export const OPERATING_HEAD = [
  "population",
  "decision after",
  "genuine / impostor sessions",
  "false rejects (FRR)",
  "false accepts (FAR)",
];

/** FRR and FAR of session decisions at one threshold, per k. */
export function operatingRows(
  scores: readonly UserScores[],
  label: string,
  threshold: number,
): string[][] {
  return KS.map((k) => {
    const p = levelScores(scores, at(k));
    const r = errorRates(p.genuine, p.impostor, threshold);
    return [
      label,
      `${5 * k} s`,
      `${p.genuine.length} / ${p.impostor.length}`,
      pct(r.frr),
      pct(r.far),
    ];
  });
}

/** FRR and FAR of session decisions at each user's own threshold, per k. */
export function ownRows(
  scores: readonly UserScores[],
  label: string,
): string[][] {
  return KS.map((k) => {
    const r = ratesAtOwnThresholds(scores, at(k));
    return [
      label,
      `${5 * k} s`,
      `${r.genuine} / ${r.impostor}`,
      pct(r.frr),
      pct(r.far),
    ];
  });
}

/** Users, sessions and windows of a dataset's split. */
export function counts(name: string, users: readonly UserData[]): string[] {
  const n = (ss: UserData["train"]) =>
    ss.reduce((a, s) => a + s.windows.length, 0);
  const train = users.flatMap((u) => u.train),
    test = users.flatMap((u) => u.test);
  return [
    name,
    String(users.length),
    `${train.length} / ${n(train)}`,
    `${test.length} / ${n(test)}`,
  ];
}

/** The table of configurations compared on the development users. */
export function selectionTable(rows: readonly SelectionRow[]): string {
  return table(
    [
      "configuration",
      "window AUC",
      "window EER",
      "15 s AUC, mean P",
      "15 s AUC, log-odds",
      "30 s AUC, mean P",
      "30 s AUC, log-odds",
      "seconds",
    ],
    rows.map((s) => [
      s.name,
      auc(s.windowAuc),
      pct(s.windowEer),
      auc(s.k3Mean),
      auc(s.k3LogOdds),
      auc(s.k6Mean),
      auc(s.k6LogOdds),
      s.seconds.toFixed(1),
    ]),
  );
}

/** The section on how features and options were chosen, with its table. */
export function choosingSection(rows: readonly SelectionRow[]): string[] {
  const better =
    rows.filter((s) => s.k3Mean >= s.k3LogOdds && s.k6Mean >= s.k6LogOdds)
      .length;
  return [
    "## Choosing features and options (SapiMouse users 1–72)",
    "",
    "Measured on users 1–72 only (trained against and tested against users 1–72), so users 73–120 " +
    "and Balabit played no part in the choice. Means over users. Feature rows use the default " +
    "options; option rows use the default features. Rule: the highest window AUC; within the " +
    "seed-to-seed spread (the last rows), the fewer features and the smaller forest. Session " +
    "scores: the mean P(owner) was as good as or better than summed clipped log-odds (±5 per " +
    `window) at both 15 and 30 s in ${better} of ${rows.length} rows.`,
    "",
    selectionTable(rows),
    "",
  ];
}

/** The profile-size rows: window and session AUC/EER per owner-window cap, then uncapped. */
function capRows(
  caps: readonly { cap: number; scores: UserScores[] }[],
  all: UserScores[],
): string[][] {
  const rows = caps.map(({ cap, scores }) => ({ label: String(cap), scores }));
  rows.push({ label: "all (the results above)", scores: all });
  return rows.map(({ label, scores }) => {
    const w = perUser(scores, WINDOW);
    const k3 = perUser(scores, at(3)), k6 = perUser(scores, at(6));
    return [
      label,
      spread(w.auc, auc),
      auc(k3.auc.mean),
      pct(k3.eer.mean),
      auc(k6.auc.mean),
      pct(k6.eer.mean),
    ];
  });
}

/** The profile-size section: AUC and EER per cap on the owner's training windows. */
export function profileSection(
  caps: readonly { cap: number; scores: UserScores[] }[],
  all: UserScores[],
): string[] {
  return [
    "## Profile size",
    "",
    "The owner's training windows capped at the first n of the 3-min session (all-users protocol; " +
    `6 windows = 30 s, 36 = 3 min). The verifier refuses fewer than ${MIN_OWNER_WINDOWS} and ` +
    `recommends ${RECOMMENDED_OWNER_WINDOWS} (\`MIN_OWNER_WINDOWS\`, \`RECOMMENDED_OWNER_WINDOWS\`).`,
    "",
    table(
      [
        "owner windows",
        "window AUC per user, mean ± sd (min–max)",
        "15 s AUC",
        "15 s EER",
        "30 s AUC",
        "30 s EER",
      ],
      capRows(caps, all),
    ),
    "",
  ];
}
