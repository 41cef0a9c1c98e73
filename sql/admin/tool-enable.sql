-- mcpgate admin: enable or disable a tool, or list the tools.
--
-- Usage:
--   psql -X -d DB -f sql/admin/tool-enable.sql                     (list)
--   psql -X -d DB -v name=NAME -f sql/admin/tool-enable.sql        (enable)
--   psql -X -d DB -v name=NAME -v enable=0 -f sql/admin/tool-enable.sql
--
-- A disabled tool disappears from tools/list and cannot be called, at once
-- (no restart). Adding a tool is a SQL function and a row: see the README,
-- "Adding a tool". Audit: event tool_enable / tool_disable.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?name}
  \if :{?enable}
  \else
    \set enable 1
  \endif
  BEGIN;
  SELECT set_config('mcpgate_admin.name', :'name', true),
         set_config('mcpgate_admin.enable', :'enable', true) \gset mcpgate_ignored_
  DO $$
  DECLARE
    v_name text := current_setting('mcpgate_admin.name');
    v_on   boolean := current_setting('mcpgate_admin.enable') IN ('1', 'on', 'true', 'yes');
  BEGIN
    IF current_setting('mcpgate_admin.enable') NOT IN ('0', '1', 'on', 'off', 'true', 'false', 'yes', 'no') THEN
      RAISE EXCEPTION 'tool-enable.sql: enable must be 1 or 0; nothing changed';
    END IF;
    UPDATE mcpgate.tools SET enabled = v_on WHERE name = v_name;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'tool-enable.sql: no tool "%"; nothing changed', left(v_name, 128);
    END IF;
    INSERT INTO mcpgate.audit_log (event, remote_addr, detail)
    VALUES (CASE WHEN v_on THEN 'tool_enable' ELSE 'tool_disable' END, inet_client_addr(),
            jsonb_build_object('tool', v_name, 'db_user', session_user, 'script', 'tool-enable.sql'));
  END
  $$;
  COMMIT;
\endif
\pset footer off
SELECT name, enabled, coalesce(required_scope, '') AS scope, function, left(description, 60) AS description
  FROM mcpgate.tools ORDER BY position, name;
