import { FEATURE_NAMES } from "../../collector/mod.ts";

const featureColumns = FEATURE_NAMES.map((name) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new TypeError(`Cannot create column for feature "${name}"`);
  }
  return `  "${name}" double precision`;
}).join(",\n");

/**
 * The first schema. One `double precision` column per feature of FEATURE_NAMES at the time this
 * migration first ran; a feature added later gets its column from `ensureFeatureColumns` (db/_migrate.ts).
 * A missing modality (NaN in memory, null on the wire) is stored as NULL, so SQL aggregates skip it.
 */
export const migration001 = {
  version: 1,
  name: "init",
  script: `
create table guard_sessions (
  id text primary key,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  user_identity text,
  state text not null default 'active' check (state in ('active', 'revoked')),
  revoked_reason text
);
create index guard_sessions_last_seen on guard_sessions (last_seen desc);
create index guard_sessions_state on guard_sessions (state, last_seen desc);

create table feature_windows (
  session text not null,
  seq integer not null,
  t0 double precision not null,
  t1 double precision not null,
  n_events integer not null,
  received_at timestamptz not null default now(),
${featureColumns},
  primary key (session, seq)
);
create index feature_windows_received_at on feature_windows (received_at);

create table scores (
  session text not null,
  seq integer not null,
  score double precision not null,
  verdict text not null,
  model_version text not null,
  at timestamptz not null default now()
);
create index scores_session on scores (session, at);

create table detections (
  id integer generated always as identity primary key,
  session text not null,
  at timestamptz not null default now(),
  verdict text not null,
  explanation jsonb not null
);
create index detections_session on detections (session, at);
create index detections_at on detections (at desc);

create table alert_outbox (
  id integer generated always as identity primary key,
  session text not null,
  kind text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  sent_at timestamptz,
  last_error text,
  dedupe_key text not null unique
);
create index alert_outbox_due on alert_outbox (next_attempt_at) where sent_at is null;

create table labels (
  session text primary key,
  label text not null check (label in ('human', 'bot', 'unauthorized')),
  set_by text not null,
  set_at timestamptz not null default now()
);
create index labels_label on labels (label);

create table revocations (
  id integer generated always as identity primary key,
  session text not null,
  at timestamptz not null default now(),
  reason text not null,
  instance text not null
);
create index revocations_at on revocations (at);
create index revocations_session on revocations (session);

create table raw_events (
  session text not null,
  t double precision not null,
  event jsonb not null,
  received_at timestamptz not null default now()
);
create index raw_events_session on raw_events (session, t);
create index raw_events_received_at on raw_events (received_at);
`,
};
