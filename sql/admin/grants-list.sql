-- mcpgate admin: what a user has granted, or what a client holds: active
-- consents and live token families.
--
-- Usage:
--   psql -X -d DB -v username=NAME -f sql/admin/grants-list.sql
--   psql -X -d DB -v client_id=ID -f sql/admin/grants-list.sql
--
-- Variables (-v name=value; at least one of the two, both to narrow down):
--   username    a user, matched regardless of case.
--   client_id   a client's client_id (see clients-list.sql).
--
-- Example:
--   psql -X -d mcpgate -v username=alice -f sql/admin/grants-list.sql
--
-- Prints two tables:
--   Consents: the consents not revoked (user, client_id, client_name,
--     scope, resource, redirect_uri, created, last_used).
--   Token families: the grants not revoked that still hold an unrevoked,
--     unexpired token (family_id, user, client_id, client_name, scope,
--     resource, created, last_used = latest use of any of its tokens,
--     expires = when its last token expires).
-- Nothing secret is shown (no token or code, nor their hashes). Changes
-- nothing. To revoke them: grants-revoke.sql with the same variables.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?username}
\else
  \set username ''
\endif
\if :{?client_id}
\else
  \set client_id ''
\endif

BEGIN READ ONLY;

SELECT set_config('mcpgate_admin.username', :'username', true),
       set_config('mcpgate_admin.client_id', :'client_id', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_username  text := current_setting('mcpgate_admin.username');
  v_client_id text := current_setting('mcpgate_admin.client_id');
BEGIN
  IF v_username = '' AND v_client_id = '' THEN
    RAISE EXCEPTION 'grants-list.sql: give -v username=NAME or -v client_id=ID (or both)'
      USING HINT = 'psql -X -d DB -v username=NAME -f sql/admin/grants-list.sql';
  END IF;
  IF v_username <> '' AND NOT EXISTS (SELECT 1 FROM mcpgate.users WHERE lower(username) = lower(v_username)) THEN
    RAISE EXCEPTION 'grants-list.sql: no user "%"', v_username;
  END IF;
  IF v_client_id <> '' AND NOT EXISTS (SELECT 1 FROM mcpgate.clients WHERE client_id = v_client_id) THEN
    RAISE EXCEPTION 'grants-list.sql: no client with client_id "%"', v_client_id
      USING HINT = 'clients-list.sql lists the clients.';
  END IF;
END
$$;

\echo 'Consents (not revoked):'
SELECT u.username AS "user",
       s.client_id,
       c.client_name,
       s.scope,
       s.resource,
       s.redirect_uri,
       date_trunc('second', s.created_at) AS created,
       date_trunc('second', s.last_used_at) AS last_used
  FROM mcpgate.consents s
  JOIN mcpgate.users u ON u.user_id = s.user_id
  JOIN mcpgate.clients c ON c.client_id = s.client_id
 WHERE s.revoked_at IS NULL
   AND (:'username' = '' OR lower(u.username) = lower(:'username'))
   AND (:'client_id' = '' OR s.client_id = :'client_id')
 ORDER BY u.username, s.created_at;

\echo 'Token families (live):'
SELECT f.family_id,
       u.username AS "user",
       f.client_id,
       c.client_name,
       f.scope,
       f.resource,
       date_trunc('second', f.created_at) AS created,
       date_trunc('second', t.last_used) AS last_used,
       date_trunc('second', t.expires) AS expires
  FROM mcpgate.token_families f
  JOIN mcpgate.users u ON u.user_id = f.user_id
  JOIN mcpgate.clients c ON c.client_id = f.client_id
  JOIN LATERAL (SELECT max(tk.last_used_at) AS last_used, max(tk.expires_at) AS expires
                  FROM mcpgate.tokens tk
                 WHERE tk.family_id = f.family_id
                   AND tk.revoked_at IS NULL
                   AND tk.expires_at > now()) t ON true
 WHERE f.revoked_at IS NULL
   AND t.expires IS NOT NULL
   AND (:'username' = '' OR lower(u.username) = lower(:'username'))
   AND (:'client_id' = '' OR f.client_id = :'client_id')
 ORDER BY u.username, f.created_at;

COMMIT;
