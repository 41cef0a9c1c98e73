-- mcpgate admin: read the audit log, newest first.
--
-- Usage:
--   psql -X -d DB [-v since='7 days'] [-v event=NAME] [-v username=NAME] \
--        [-v limit=100] -f sql/admin/audit.sql
--
-- Variables (-v name=value, all optional):
--   since      how far back, a PostgreSQL interval. Default '7 days'.
--   event      only this event (see below). Default: all.
--   username   only events about this user, matched regardless of case:
--              the user's id, or the username recorded in the event's
--              detail (a failed login records the name tried, even one
--              that does not exist; deleted users are found this way too).
--   limit      at most this many rows. Default 100.
--
-- Events:
--   written by the programs: register (dynamic client registration),
--     login_ok, login_failed, consent, consent_denied, password_set
--     (a user set their password with a set-password link);
--   written by these scripts: user_create, user_reset (user-create.sql),
--     user_disable, user_enable (user-disable.sql), client_register
--     (client-register.sql), revoke (grants-revoke.sql), client_disable,
--     client_enable (client-disable.sql), purge (purge.sql).
-- No event ever holds a secret (password, token, code, client secret,
-- cookie) or a hash of one.
--
-- Examples:
--   psql -X -d mcpgate -f sql/admin/audit.sql
--   psql -X -d mcpgate -v since='1 day' -v event=login_failed -f sql/admin/audit.sql
--   psql -X -d mcpgate -v username=alice -v since='90 days' -v limit=20 -f sql/admin/audit.sql
--
-- Prints a table: id, at, event, username (of user_id, else the one in
-- detail), user_id, client_id, remote_addr, detail. Changes nothing.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?since}
\else
  \set since '7 days'
\endif
\if :{?event}
\else
  \set event ''
\endif
\if :{?username}
\else
  \set username ''
\endif
\if :{?limit}
\else
  \set limit 100
\endif

BEGIN READ ONLY;

SELECT set_config('mcpgate_admin.since', :'since', true),
       set_config('mcpgate_admin.limit', :'limit', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_since interval;
BEGIN
  BEGIN
    v_since := current_setting('mcpgate_admin.since')::interval;
  EXCEPTION WHEN OTHERS THEN
    v_since := NULL;
  END;
  IF v_since IS NULL OR now() - v_since > now() THEN
    RAISE EXCEPTION 'audit.sql: -v since=% is not an interval such as ''7 days'' or ''12 hours''',
      current_setting('mcpgate_admin.since');
  END IF;
  IF current_setting('mcpgate_admin.limit') !~ '^[0-9]{1,9}$' THEN
    RAISE EXCEPTION 'audit.sql: -v limit=% is not a number of rows', current_setting('mcpgate_admin.limit');
  END IF;
END
$$;

SELECT a.id,
       date_trunc('second', a.at) AS at,
       a.event,
       coalesce(u.username, a.detail->>'username') AS username,
       a.user_id,
       a.client_id,
       a.remote_addr,
       a.detail
  FROM mcpgate.audit_log a
  LEFT JOIN mcpgate.users u ON u.user_id = a.user_id
 WHERE a.at >= now() - :'since'::interval
   AND (:'event' = '' OR a.event = :'event')
   AND (:'username' = ''
        OR lower(u.username) = lower(:'username')
        OR lower(a.detail->>'username') = lower(:'username'))
 ORDER BY a.at DESC, a.id DESC
 LIMIT :'limit'::bigint;

COMMIT;
