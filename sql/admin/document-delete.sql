-- mcpgate admin: delete a document of the knowledge base.
--
-- Usage:
--   psql -X -d DB -v id=ID -f sql/admin/document-delete.sql
--
-- Variables: id (required), the document's id.
-- Prints what it did; an unknown id is an error (exit status 3, nothing
-- changed). Audit: event document_delete with the id.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?id}
\else
  \set id ''
\endif

BEGIN;
SELECT set_config('mcpgate_admin.id', :'id', true) \gset mcpgate_ignored_
DO $$
DECLARE
  v_id text := current_setting('mcpgate_admin.id');
BEGIN
  IF v_id = '' THEN
    RAISE EXCEPTION 'document-delete.sql: give -v id=ID; nothing changed';
  END IF;
  DELETE FROM mcpgate.documents WHERE doc_id = v_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'document-delete.sql: no document "%"; nothing changed', left(v_id, 200);
  END IF;
  INSERT INTO mcpgate.audit_log (event, remote_addr, detail)
  VALUES ('document_delete', inet_client_addr(),
          jsonb_build_object('doc_id', v_id, 'db_user', session_user, 'script', 'document-delete.sql'));
END
$$;
COMMIT;
\echo mcpgate: deleted document :id
