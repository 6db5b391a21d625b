/**
 * No sticky sessions (issue 14 item 5): the state that used to live in each instance's memory is
 * shared through the database, so N guard instances behind any load balancer judge a session as
 * one instance would.
 *
 * - `session_state`: one versioned JSON row per session and kind (`evidence`: the detector's
 *   decayed log-odds and run; `silence`: the silence rule's counts). Writers compare and swap on
 *   `version`, so a stale copy in an instance's cache can never overwrite newer evidence.
 * - `ingest_sessions`: the per-session token bucket of INGEST_RATE_PER_MIN and the highest
 *   accepted seq (replay check), updated in one statement per post.
 * - `rate_windows`: fixed one-minute counts per key (NEW_SESSIONS_PER_MIN per client key).
 * - `auth_failures`: failed admin and metrics tokens per client address (sliding window).
 * - `alert_mail_log`: one row per email sent, the ALERT_MAX_PER_HOUR budget of the whole fleet.
 */
export const migration005 = {
  version: 5,
  name: "fleet shared state",
  script: `
create table session_state (
  session text not null,
  kind text not null check (kind in ('evidence', 'silence')),
  version integer not null,
  state jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (session, kind)
);
create index session_state_updated_at on session_state (updated_at);

create table ingest_sessions (
  session text primary key,
  tokens double precision not null,
  refilled_ms double precision not null,
  last_seq integer,
  outcome text not null,
  updated_at timestamptz not null default now()
);
create index ingest_sessions_updated_at on ingest_sessions (updated_at);

create table rate_windows (
  key text primary key,
  start_ms double precision not null,
  n integer not null,
  updated_at timestamptz not null default now()
);
create index rate_windows_updated_at on rate_windows (updated_at);

create table auth_failures (
  id bigint generated always as identity primary key,
  client text not null,
  at_ms double precision not null
);
create index auth_failures_client on auth_failures (client, at_ms desc);

create table alert_mail_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  alerts integer not null
);
create index alert_mail_log_at on alert_mail_log (at);
`,
};
