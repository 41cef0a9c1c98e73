-- mcpgate admin: list the OAuth clients.
--
-- Usage:
--   psql -X -d DB [-v dynamic=0] -f sql/admin/clients-list.sql
--
-- Variables (-v name=value):
--   dynamic   0: leave out the clients that registered themselves (RFC 7591,
--             registration 'dynamic') and show only those an admin
--             registered. Default 1 (show all).
--
-- Example:
--   psql -X -d mcpgate -v dynamic=0 -f sql/admin/clients-list.sql
--
-- Prints a table, oldest client first: client_id, client_name,
-- registration (admin or dynamic), auth_method (token_endpoint_auth_method),
-- redirect_uris (space-separated), created, last_used, disabled (when it was
-- disabled, empty if not) and live_families: the token families (grants)
-- not revoked that still hold an unrevoked, unexpired token. client_name is
-- whatever a dynamic client chose to send: read it with suspicion.
-- Nothing secret is shown. Changes nothing.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?dynamic}
\else
  \set dynamic 1
\endif

SELECT :'dynamic' ~* '^(1|0|on|off|true|false|yes|no)$' AS mcpgate_ok \gset
\if :mcpgate_ok
\else
  DO $$ BEGIN RAISE EXCEPTION 'clients-list.sql: -v dynamic must be 1 (show all clients) or 0 (only admin-registered ones)'; END $$;
\endif

SELECT c.client_id,
       c.client_name,
       c.registration,
       c.token_endpoint_auth_method AS auth_method,
       array_to_string(c.redirect_uris, ' ') AS redirect_uris,
       date_trunc('second', c.created_at) AS created,
       date_trunc('second', c.last_used_at) AS last_used,
       date_trunc('second', c.disabled_at) AS disabled,
       (SELECT count(*)
          FROM mcpgate.token_families f
         WHERE f.client_id = c.client_id
           AND f.revoked_at IS NULL
           AND EXISTS (SELECT 1 FROM mcpgate.tokens t
                        WHERE t.family_id = f.family_id
                          AND t.revoked_at IS NULL
                          AND t.expires_at > now())) AS live_families
  FROM mcpgate.clients c
 WHERE :'dynamic'::boolean OR c.registration <> 'dynamic'
 ORDER BY c.created_at, c.client_id;
