-- mcpgate admin: disable an OAuth client (and revoke everything it holds),
-- or enable it again.
--
-- Usage:
--   psql -X -d DB -v client_id=ID -f sql/admin/client-disable.sql
--   psql -X -d DB -v client_id=ID -v enable=1 -f sql/admin/client-disable.sql
--
-- Variables (-v name=value):
--   client_id   required. The client (see clients-list.sql).
--   enable      1: enable the client again (clears disabled_at). Its revoked
--               grants stay revoked: users must authorize it again.
--               Default 0.
--
-- Disabling, in one transaction:
--   * clients.disabled_at = now() (kept if already disabled): the client can
--     neither authorize nor use the token endpoint;
--   * as grants-revoke.sql for this client: consents revoked, token
--     families revoked (revoke_reason 'client disabled') with their
--     unexpired tokens, unconsumed authorization codes deleted.
-- Running it again on a disabled client is harmless. Nothing else is
-- deleted: the client's row stays (purge.sql deletes only dynamic clients
-- left unused).
--
-- Examples:
--   psql -X -d mcpgate -v client_id=mcpgate-0123abcd... -f sql/admin/client-disable.sql
--   psql -X -d mcpgate -v client_id=mcpgate-0123abcd... -v enable=1 -f sql/admin/client-disable.sql
--
-- Prints one line: what it did, with the counts. On error it changes nothing
-- and exits with status 3.
-- Audit: one row, event client_disable (detail: client_name, the counts)
-- or client_enable (detail: client_name, disabled_since).

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?client_id}
\else
  DO $$ BEGIN RAISE EXCEPTION 'client-disable.sql: -v client_id=ID is required; nothing changed'
    USING HINT = 'psql -X -d DB -v client_id=ID [-v enable=1] -f sql/admin/client-disable.sql (clients-list.sql lists the clients)'; END $$;
\endif
\if :{?enable}
\else
  \set enable 0
\endif

BEGIN;

-- Values reach the DO block through transaction-local settings (psql does
-- not substitute variables inside $$ quotes); no SQL is built from them.
SELECT set_config('mcpgate_admin.client_id', :'client_id', true),
       set_config('mcpgate_admin.enable', :'enable', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_client_id text := current_setting('mcpgate_admin.client_id');
  v_enable    boolean;
  v_client    record;
  v_consents  bigint;
  v_families  bigint;
  v_tokens    bigint;
  v_codes     bigint;
  v_out       text;
BEGIN
  IF current_setting('mcpgate_admin.enable') !~* '^(1|0|on|off|true|false|yes|no)$' THEN
    RAISE EXCEPTION 'client-disable.sql: -v enable=% is not a flag (use 1 or 0); nothing changed',
      current_setting('mcpgate_admin.enable');
  END IF;
  v_enable := current_setting('mcpgate_admin.enable')::boolean;

  SELECT c.client_id, c.client_name, c.disabled_at INTO v_client
    FROM mcpgate.clients c
   WHERE c.client_id = v_client_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'client-disable.sql: no client with client_id "%"; nothing changed', v_client_id
      USING HINT = 'clients-list.sql lists the clients.';
  END IF;

  IF v_enable THEN
    UPDATE mcpgate.clients SET disabled_at = NULL WHERE client_id = v_client_id;
    INSERT INTO mcpgate.audit_log (event, client_id, remote_addr, detail)
    VALUES ('client_enable', v_client_id, inet_client_addr(),
            jsonb_strip_nulls(jsonb_build_object(
              'client_name', v_client.client_name,
              'disabled_since', v_client.disabled_at,
              'db_user', session_user,
              'script', 'client-disable.sql')));
    v_out := format('mcpgate: client %s ("%s") %s', v_client_id, v_client.client_name,
                    CASE WHEN v_client.disabled_at IS NULL THEN 'was not disabled; still enabled'
                         ELSE 'enabled again (earlier grants stay revoked)' END);
  ELSE
    UPDATE mcpgate.clients SET disabled_at = coalesce(disabled_at, now())
     WHERE client_id = v_client_id;

    UPDATE mcpgate.consents SET revoked_at = now()
     WHERE client_id = v_client_id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_consents = ROW_COUNT;

    -- tokens first: revoking a family also revokes its tokens (a trigger)
    UPDATE mcpgate.tokens SET revoked_at = now()
     WHERE client_id = v_client_id AND revoked_at IS NULL AND expires_at > now();
    GET DIAGNOSTICS v_tokens = ROW_COUNT;

    UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'client disabled'
     WHERE client_id = v_client_id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_families = ROW_COUNT;

    DELETE FROM mcpgate.authorization_codes
     WHERE client_id = v_client_id AND consumed_at IS NULL;
    GET DIAGNOSTICS v_codes = ROW_COUNT;

    INSERT INTO mcpgate.audit_log (event, client_id, remote_addr, detail)
    VALUES ('client_disable', v_client_id, inet_client_addr(),
            jsonb_strip_nulls(jsonb_build_object(
              'client_name', v_client.client_name,
              'already_disabled_since', v_client.disabled_at,
              'reason', 'client disabled',
              'consents_revoked', v_consents,
              'token_families_revoked', v_families,
              'tokens_revoked', v_tokens,
              'authorization_codes_deleted', v_codes,
              'db_user', session_user,
              'script', 'client-disable.sql')));
    v_out := format('mcpgate: client %s ("%s") %s: %s consents, %s token families, %s tokens revoked; %s unused authorization codes deleted',
                    v_client_id, v_client.client_name,
                    CASE WHEN v_client.disabled_at IS NULL THEN 'disabled' ELSE 'was already disabled' END,
                    v_consents, v_families, v_tokens, v_codes);
  END IF;

  PERFORM set_config('mcpgate_admin.out', v_out, true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
