-- mcpgate admin: add or replace a document of the knowledge base (what the
-- search and fetch tools and resources/list serve).
--
-- Usage:
--   psql -X -d DB -v id=ID -v title=TITLE -v body=TEXT -f sql/admin/document-upsert.sql
--   psql -X -d DB -v id=ID -v title=TITLE -v file=PATH -f sql/admin/document-upsert.sql
--
-- Variables (-v name=value):
--   id        required; the stable id fetch uses: letters, digits, . _ ~ -
--             (at most 200). An existing document with this id is replaced.
--   title     required.
--   body      the text; or
--   file      a text or Markdown file to read the text from (read by psql on
--             the machine where psql runs, which may be your own computer
--             connected to the host's database).
--   url       optional; the citation URL (else mcpgate://doc/<id>).
--   owner     optional; a username: only that user will see the document.
--             Without it the document is public (every signed-in user).
--   language  optional; the text-search configuration (default english).
--
-- Loading a folder of Markdown files (from any machine with psql):
--   for f in docs/*.md; do
--     psql -X -d mcpgate -v id="$(basename "$f" .md)" \
--          -v title="$(head -n 1 "$f" | sed 's/^#* *//')" -v file="$f" \
--          -f sql/admin/document-upsert.sql || break
--   done
--
-- Prints what it did; on error it changes nothing and exits with status 3.
-- Audit: event document_upsert with the id.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?id}
\else
  \set id ''
\endif
\if :{?title}
\else
  \set title ''
\endif
\if :{?file}
  \set body `cat :'file'`
\endif
\if :{?body}
\else
  \set body ''
\endif
\if :{?url}
\else
  \set url ''
\endif
\if :{?owner}
\else
  \set owner ''
\endif
\if :{?language}
\else
  \set language 'english'
\endif

BEGIN;
SELECT set_config('mcpgate_admin.id', :'id', true),
       set_config('mcpgate_admin.title', :'title', true),
       set_config('mcpgate_admin.body', :'body', true),
       set_config('mcpgate_admin.url', :'url', true),
       set_config('mcpgate_admin.owner', :'owner', true),
       set_config('mcpgate_admin.language', :'language', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_id    text := current_setting('mcpgate_admin.id');
  v_title text := current_setting('mcpgate_admin.title');
  v_body  text := current_setting('mcpgate_admin.body');
  v_owner text := current_setting('mcpgate_admin.owner');
  v_uid   bigint;
  v_new   boolean;
BEGIN
  IF v_id = '' OR v_title = '' THEN
    RAISE EXCEPTION 'document-upsert.sql: give -v id=ID and -v title=TITLE; nothing changed'
      USING HINT = 'psql -X -d DB -v id=ID -v title=TITLE -v file=PATH -f sql/admin/document-upsert.sql';
  END IF;
  IF v_id !~ '^[A-Za-z0-9._~-]{1,200}$' THEN
    RAISE EXCEPTION 'document-upsert.sql: id "%" must be letters, digits, . _ ~ - (at most 200); nothing changed', left(v_id, 60);
  END IF;
  IF v_body = '' THEN
    RAISE EXCEPTION 'document-upsert.sql: the document has no text (give -v body=TEXT or -v file=PATH); nothing changed';
  END IF;
  IF v_owner <> '' THEN
    SELECT user_id INTO v_uid FROM mcpgate.users WHERE lower(username) = lower(v_owner);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'document-upsert.sql: no user "%"; nothing changed', v_owner;
    END IF;
  END IF;
  v_new := NOT EXISTS (SELECT 1 FROM mcpgate.documents WHERE doc_id = v_id);
  INSERT INTO mcpgate.documents (doc_id, owner_id, title, url, body, language)
  VALUES (v_id, v_uid, v_title, nullif(current_setting('mcpgate_admin.url'), ''), v_body,
          current_setting('mcpgate_admin.language'))
  ON CONFLICT (doc_id) DO UPDATE
    SET owner_id = EXCLUDED.owner_id, title = EXCLUDED.title, url = EXCLUDED.url,
        body = EXCLUDED.body, language = EXCLUDED.language;
  INSERT INTO mcpgate.audit_log (event, user_id, remote_addr, detail)
  VALUES ('document_upsert', v_uid, inet_client_addr(),
          jsonb_build_object('doc_id', v_id, 'new', v_new, 'db_user', session_user,
                             'script', 'document-upsert.sql'));
  PERFORM set_config('mcpgate_admin.out',
    format('mcpgate: %s document %s (%s characters)%s', CASE WHEN v_new THEN 'added' ELSE 'replaced' END,
           v_id, length(v_body), CASE WHEN v_uid IS NULL THEN '' ELSE ', visible to ' || v_owner || ' only' END),
    true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
