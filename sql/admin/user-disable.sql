-- mcpgate admin: disable a user (log them out and revoke everything they
-- granted), or enable them again.
--
-- Usage:
--   psql -X -d DB -v username=NAME -f sql/admin/user-disable.sql
--   psql -X -d DB -v username=NAME -v enable=1 -f sql/admin/user-disable.sql
--
-- Variables (-v name=value):
--   username   required. The user, matched regardless of case.
--   enable     1: enable the user again (clears disabled_at). Their revoked
--              grants stay revoked: clients must ask them to log in and
--              consent again. Default 0.
--
-- Disabling, in one transaction:
--   * users.disabled_at = now() (kept if already disabled);
--   * deletes the user's login sessions (logged out of the pages);
--   * revokes every unrevoked token family of the user (revoked_at = now(),
--     revoke_reason 'user disabled'), which revokes every token in it;
--   * revokes the user's consents (revoked_at = now());
--   * deletes the user's unconsumed authorization codes.
-- Running it again on a disabled user is harmless (it revokes whatever is
-- left). The user's rows are kept; nothing is deleted but sessions and codes.
--
-- Examples:
--   psql -X -d mcpgate -v username=alice -f sql/admin/user-disable.sql
--   psql -X -d mcpgate -v username=alice -v enable=1 -f sql/admin/user-disable.sql
--
-- Prints one line: what it did, with the counts. On error it changes nothing
-- and exits with status 3.
-- Audit: one row, event user_disable (detail: username, the counts) or
-- user_enable (detail: username, disabled_since).

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?username}
\else
  DO $$ BEGIN RAISE EXCEPTION 'user-disable.sql: -v username=NAME is required; nothing changed'
    USING HINT = 'psql -X -d DB -v username=NAME [-v enable=1] -f sql/admin/user-disable.sql'; END $$;
\endif
\if :{?enable}
\else
  \set enable 0
\endif

BEGIN;

-- Values reach the DO block through transaction-local settings (psql does
-- not substitute variables inside $$ quotes); no SQL is built from them.
SELECT set_config('mcpgate_admin.username', :'username', true),
       set_config('mcpgate_admin.enable', :'enable', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_username text := current_setting('mcpgate_admin.username');
  v_enable   boolean;
  v_user     record;
  v_sessions bigint;
  v_families bigint;
  v_consents bigint;
  v_codes    bigint;
  v_out      text;
BEGIN
  IF current_setting('mcpgate_admin.enable') !~* '^(1|0|on|off|true|false|yes|no)$' THEN
    RAISE EXCEPTION 'user-disable.sql: -v enable=% is not a flag (use 1 or 0); nothing changed',
      current_setting('mcpgate_admin.enable');
  END IF;
  v_enable := current_setting('mcpgate_admin.enable')::boolean;

  SELECT u.user_id, u.username, u.disabled_at INTO v_user
    FROM mcpgate.users u
   WHERE lower(u.username) = lower(v_username)
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user-disable.sql: no user "%"; nothing changed', v_username;
  END IF;

  IF v_enable THEN
    UPDATE mcpgate.users SET disabled_at = NULL WHERE user_id = v_user.user_id;
    INSERT INTO mcpgate.audit_log (event, user_id, remote_addr, detail)
    VALUES ('user_enable', v_user.user_id, inet_client_addr(),
            jsonb_strip_nulls(jsonb_build_object(
              'username', v_user.username,
              'disabled_since', v_user.disabled_at,
              'db_user', session_user,
              'script', 'user-disable.sql')));
    v_out := format('mcpgate: user "%s" (user_id %s) %s', v_user.username, v_user.user_id,
                    CASE WHEN v_user.disabled_at IS NULL THEN 'was not disabled; still enabled'
                         ELSE 'enabled again (earlier grants stay revoked)' END);
  ELSE
    UPDATE mcpgate.users SET disabled_at = coalesce(disabled_at, now())
     WHERE user_id = v_user.user_id;

    DELETE FROM mcpgate.login_sessions WHERE user_id = v_user.user_id;
    GET DIAGNOSTICS v_sessions = ROW_COUNT;

    UPDATE mcpgate.token_families
       SET revoked_at = now(), revoke_reason = 'user disabled'
     WHERE user_id = v_user.user_id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_families = ROW_COUNT;

    UPDATE mcpgate.consents SET revoked_at = now()
     WHERE user_id = v_user.user_id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_consents = ROW_COUNT;

    DELETE FROM mcpgate.authorization_codes
     WHERE user_id = v_user.user_id AND consumed_at IS NULL;
    GET DIAGNOSTICS v_codes = ROW_COUNT;

    INSERT INTO mcpgate.audit_log (event, user_id, remote_addr, detail)
    VALUES ('user_disable', v_user.user_id, inet_client_addr(),
            jsonb_strip_nulls(jsonb_build_object(
              'username', v_user.username,
              'already_disabled_since', v_user.disabled_at,
              'login_sessions_deleted', v_sessions,
              'token_families_revoked', v_families,
              'consents_revoked', v_consents,
              'authorization_codes_deleted', v_codes,
              'db_user', session_user,
              'script', 'user-disable.sql')));
    v_out := format('mcpgate: user "%s" (user_id %s) %s: %s login sessions deleted, %s token families revoked, %s consents revoked, %s unused authorization codes deleted',
                    v_user.username, v_user.user_id,
                    CASE WHEN v_user.disabled_at IS NULL THEN 'disabled'
                         ELSE 'was already disabled' END,
                    v_sessions, v_families, v_consents, v_codes);
  END IF;

  PERFORM set_config('mcpgate_admin.out', v_out, true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
