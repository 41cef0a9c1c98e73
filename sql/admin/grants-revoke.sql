-- mcpgate admin: revoke what a user has granted, what a client holds, or
-- what one user granted one client.
--
-- Usage:
--   psql -X -d DB -v username=NAME -f sql/admin/grants-revoke.sql
--   psql -X -d DB -v client_id=ID -f sql/admin/grants-revoke.sql
--   psql -X -d DB -v username=NAME -v client_id=ID -f sql/admin/grants-revoke.sql
--
-- Variables (-v name=value; at least one of the two; with both, only what
-- that user granted that client):
--   username    a user, matched regardless of case.
--   client_id   a client's client_id (see clients-list.sql).
--
-- In one transaction:
--   * consents not yet revoked: revoked_at = now() (the user will be asked
--     to consent again);
--   * token families not yet revoked: revoked_at = now(), revoke_reason
--     'admin' (every token in them is refused from now on);
--   * their unexpired tokens not yet revoked: revoked_at = now();
--   * unconsumed authorization codes: deleted.
-- The user and the client stay usable: they may authorize again. To stop
-- that, use user-disable.sql or client-disable.sql.
--
-- Example:
--   psql -X -d mcpgate -v username=alice -v client_id=mcpgate-0123abcd... \
--        -f sql/admin/grants-revoke.sql
--
-- Prints one line with the counts. On error it changes nothing and exits
-- with status 3.
-- Audit: one row, event revoke, with user_id and/or client_id and detail
-- {username, reason "admin", the counts}.

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

BEGIN;

-- Values reach the DO block through transaction-local settings (psql does
-- not substitute variables inside $$ quotes); no SQL is built from them.
SELECT set_config('mcpgate_admin.username', :'username', true),
       set_config('mcpgate_admin.client_id', :'client_id', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_username  text := current_setting('mcpgate_admin.username');
  v_client_id text := nullif(current_setting('mcpgate_admin.client_id'), '');
  v_user_id   bigint;
  v_consents  bigint;
  v_families  bigint;
  v_tokens    bigint;
  v_codes     bigint;
  v_what      text;
BEGIN
  IF v_username = '' AND v_client_id IS NULL THEN
    RAISE EXCEPTION 'grants-revoke.sql: give -v username=NAME or -v client_id=ID (or both); nothing changed'
      USING HINT = 'psql -X -d DB -v username=NAME -f sql/admin/grants-revoke.sql';
  END IF;
  IF v_username <> '' THEN
    SELECT user_id, username INTO v_user_id, v_username
      FROM mcpgate.users WHERE lower(username) = lower(v_username);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'grants-revoke.sql: no user "%"; nothing changed', v_username;
    END IF;
  END IF;
  IF v_client_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM mcpgate.clients WHERE client_id = v_client_id) THEN
    RAISE EXCEPTION 'grants-revoke.sql: no client with client_id "%"; nothing changed', v_client_id
      USING HINT = 'clients-list.sql lists the clients.';
  END IF;

  -- A NULL v_user_id or v_client_id means "any".
  UPDATE mcpgate.consents SET revoked_at = now()
   WHERE revoked_at IS NULL
     AND (v_user_id IS NULL OR user_id = v_user_id)
     AND (v_client_id IS NULL OR client_id = v_client_id);
  GET DIAGNOSTICS v_consents = ROW_COUNT;

  -- tokens first: revoking a family also revokes its tokens (a trigger),
  -- and the count should say how many live tokens this ended
  UPDATE mcpgate.tokens SET revoked_at = now()
   WHERE revoked_at IS NULL AND expires_at > now()
     AND (v_user_id IS NULL OR user_id = v_user_id)
     AND (v_client_id IS NULL OR client_id = v_client_id);
  GET DIAGNOSTICS v_tokens = ROW_COUNT;

  UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'admin'
   WHERE revoked_at IS NULL
     AND (v_user_id IS NULL OR user_id = v_user_id)
     AND (v_client_id IS NULL OR client_id = v_client_id);
  GET DIAGNOSTICS v_families = ROW_COUNT;

  DELETE FROM mcpgate.authorization_codes
   WHERE consumed_at IS NULL
     AND (v_user_id IS NULL OR user_id = v_user_id)
     AND (v_client_id IS NULL OR client_id = v_client_id);
  GET DIAGNOSTICS v_codes = ROW_COUNT;

  INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
  VALUES ('revoke', v_user_id, v_client_id, inet_client_addr(),
          jsonb_strip_nulls(jsonb_build_object(
            'username', nullif(v_username, ''),
            'reason', 'admin',
            'consents_revoked', v_consents,
            'token_families_revoked', v_families,
            'tokens_revoked', v_tokens,
            'authorization_codes_deleted', v_codes,
            'db_user', session_user,
            'script', 'grants-revoke.sql')));

  v_what := concat_ws(' to ',
                      CASE WHEN v_user_id IS NOT NULL THEN format('by user "%s"', v_username) END,
                      CASE WHEN v_client_id IS NOT NULL THEN format('client %s', v_client_id) END);
  PERFORM set_config('mcpgate_admin.out',
    format('mcpgate: revoked the grants %s: %s consents, %s token families, %s tokens revoked; %s unused authorization codes deleted',
           CASE WHEN v_user_id IS NOT NULL THEN 'given ' || v_what ELSE 'held by ' || v_what END,
           v_consents, v_families, v_tokens, v_codes),
    true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
