/**
 * A logout that holds (issue 14): the site's auth cookie values seen on each guard session
 * (`session_credentials`, HMAC digests, never the values), the digests revoked with a session
 * (`revoked_credentials`, kept until `expires_at`), the client key and user of each revocation
 * (re-login risk), and outbox channels (mail, webhook) with incident aggregation per source.
 */
export const migration003 = {
  version: 3,
  name: "logout that holds",
  script: `
alter table guard_sessions add column client_key text;

alter table revocations add column client_key text;
alter table revocations add column user_identity text;
alter table revocations add column expires_at timestamptz;
create index revocations_client_key on revocations (client_key, at)
  where client_key is not null;
create index revocations_user_identity on revocations (user_identity, at)
  where user_identity is not null;

create table session_credentials (
  session text not null,
  digest text not null,
  cookie_name text not null,
  first_seen timestamptz not null default now(),
  primary key (session, digest)
);
create index session_credentials_first_seen on session_credentials (first_seen);

create table revoked_credentials (
  digest text primary key,
  cookie_name text not null,
  session text not null,
  revoked_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index revoked_credentials_revoked_at on revoked_credentials (revoked_at);
create index revoked_credentials_expires_at on revoked_credentials (expires_at);

alter table alert_outbox add column channel text not null default 'mail';
alter table alert_outbox add column source text;
alter table alert_outbox add column incident_key text unique;
drop index alert_outbox_due;
create index alert_outbox_due on alert_outbox (channel, next_attempt_at) where sent_at is null;
create index alert_outbox_source on alert_outbox (source, created_at) where source is not null;
`,
};
