/**
 * What the operator console shows of a session's traffic (issue 16): the pages it loaded, counted
 * per hour, and the network prefix each came from. Bounded and privacy-respecting by design: the
 * path is stored without its query string (tokens and search terms live there) and cut to 256
 * characters, the client is the address prefix (IPv4 /24, IPv6 /48), never the address, and a
 * session keeps at most a fixed number of rows (db/_page_views.ts). Deleted with the windows
 * (WINDOW_RETENTION_DAYS).
 */
export const migration004 = {
  version: 4,
  name: "page views",
  script: `
create table page_views (
  session text not null,
  hour timestamptz not null,
  path text not null,
  client text not null,
  hits integer not null default 1,
  last_at timestamptz not null default now(),
  primary key (session, hour, path, client)
);
create index page_views_hour on page_views (hour);
`,
};
