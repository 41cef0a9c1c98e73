-- mcpgate admin: housekeeping, meant for cron. Deletes what can no longer
-- be used, and the self-registered clients nobody uses.
--
-- Usage:
--   psql -X -q -d DB [-v client_expiry='90 days'] -f sql/admin/purge.sql
--
-- Variables (-v name=value):
--   client_expiry   a PostgreSQL interval: a dynamically registered client
--                   (registration 'dynamic') unused for this long is
--                   deleted. Default '90 days'; keep it equal to
--                   client_expiry in the configuration.
--
-- In one transaction:
--   * mcpgate.purge_expired(): ended rate-limit windows, expired login
--     sessions, authorization codes and tokens expired over a day ago,
--     token families left empty;
--   * deletes every client with registration 'dynamic' whose
--     coalesce(last_used_at, created_at) is older than client_expiry and
--     that has no live token family (one not revoked with an unrevoked,
--     unexpired token). Deleting a client deletes its consents, codes and
--     token families with their tokens (foreign keys). Clients registered
--     by an admin are never deleted here.
-- Safe to run at any time and as often as you like.
--
-- Example crontab line (every night at 03:17; psql prints only errors to
-- stderr, which cron mails; drop the >/dev/null to get the summary too):
--   17 3 * * *  psql -X -q -d mcpgate -f /usr/local/share/mcpgate/sql/admin/purge.sql >/dev/null
-- (add -h/-p/-U as your host requires; a ~/.pgpass file gives the password)
--
-- Prints one line with what it deleted (the counts per table, and the
-- client_ids of the clients deleted). On error it changes nothing and exits
-- with status 3.
-- Audit: when it deleted anything, one row, event purge, with the counts
-- and the deleted client_ids in detail.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?client_expiry}
\else
  \set client_expiry '90 days'
\endif

BEGIN;

-- Values reach the DO block through transaction-local settings (psql does
-- not substitute variables inside $$ quotes); no SQL is built from them.
SELECT set_config('mcpgate_admin.client_expiry', :'client_expiry', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_expiry   interval;
  v_counts   jsonb;
  v_clients  text[];
  v_total    bigint;
BEGIN
  BEGIN
    v_expiry := current_setting('mcpgate_admin.client_expiry')::interval;
  EXCEPTION WHEN OTHERS THEN
    v_expiry := NULL;
  END;
  IF v_expiry IS NULL OR now() - v_expiry >= now() THEN
    RAISE EXCEPTION 'purge.sql: -v client_expiry=% is not a positive interval such as ''90 days''; nothing changed',
      current_setting('mcpgate_admin.client_expiry');
  END IF;

  v_counts := mcpgate.purge_expired();

  WITH gone AS (
    DELETE FROM mcpgate.clients c
     WHERE c.registration = 'dynamic'
       AND coalesce(c.last_used_at, c.created_at) < now() - v_expiry
       AND NOT EXISTS (
             SELECT 1
               FROM mcpgate.token_families f
               JOIN mcpgate.tokens t ON t.family_id = f.family_id
              WHERE f.client_id = c.client_id
                AND f.revoked_at IS NULL
                AND t.revoked_at IS NULL
                AND t.expires_at > now())
    RETURNING c.client_id, c.created_at)
  SELECT coalesce(array_agg(client_id ORDER BY created_at, client_id), '{}')
    INTO v_clients FROM gone;

  v_counts := v_counts || jsonb_build_object('dynamic_clients', cardinality(v_clients));
  SELECT sum(value::bigint) INTO v_total FROM jsonb_each_text(v_counts);

  IF v_total > 0 THEN
    INSERT INTO mcpgate.audit_log (event, remote_addr, detail)
    VALUES ('purge', inet_client_addr(),
            jsonb_build_object(
              'deleted', v_counts,
              'client_expiry', v_expiry::text,
              'client_ids', to_jsonb(v_clients),
              'db_user', session_user,
              'script', 'purge.sql'));
  END IF;

  PERFORM set_config('mcpgate_admin.out',
    format('mcpgate: purge deleted %s rate-limit windows, %s login sessions, %s authorization codes, %s tokens, %s token families, %s dynamic clients unused for %s%s',
           v_counts->>'rate_limits', v_counts->>'login_sessions',
           v_counts->>'authorization_codes', v_counts->>'tokens',
           v_counts->>'token_families', v_counts->>'dynamic_clients', v_expiry,
           CASE WHEN cardinality(v_clients) > 0
                THEN ' (' || array_to_string(v_clients, ' ') || ')' ELSE '' END),
    true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
