/**
 * User profiles: one behaviour verifier per user identity (middleware/detect/verifier.ts), trained
 * by `deno task profiles` from the windows of that user's sessions, read by the owner check.
 */
export const migration002 = {
  version: 2,
  name: "user profiles",
  script: `
create table user_profiles (
  user_identity text primary key,
  model text not null,
  version text not null,
  owner_windows integer not null,
  calibration double precision not null,
  trained_at timestamptz not null default now()
);
create index guard_sessions_user_identity on guard_sessions (user_identity)
  where user_identity is not null;
`,
};
