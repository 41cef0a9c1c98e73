#!/bin/bash
# t96-admin-content.t -- the content scripts of sql/admin on a real
# database: documents added, replaced (from a file too), restricted to a
# user, deleted; tools disabled and enabled; bad input refused with nothing
# changed; SQL metacharacters stored literally.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres
it_db t96
it_user alice 'alice password 1'
PSQL=$(_stack_pg_bindir)/psql
adm() { local s=$1; shift; "$PSQL" -X -q -d "$IT_DB" "$@" -f "$IT_SQLDIR/admin/$s" >"$IT_DIR/out" 2>&1; }

adm document-upsert.sql -v id=guide-1 -v title='Install guide' -v body='Run make install.'
is $? 0 "document-upsert adds a document"
is "$(it_psql "SELECT title || '|' || body || '|' || (owner_id IS NULL) FROM mcpgate.documents WHERE doc_id = 'guide-1'")" \
    "Install guide|Run make install.|true" "  public, with its text"
printf '# Backups\n\nUse pg_dump every night; keep a week.\n' >"$IT_DIR/backups.md"
adm document-upsert.sql -v id=guide-1 -v title='Backups' -v file="$IT_DIR/backups.md" -v owner=alice -v url=https://kb.example/backups
is $? 0 "document-upsert replaces it from a file"
is "$(it_psql "SELECT title || '|' || (owner_id IS NOT NULL) || '|' || url || '|' || (body LIKE '%pg_dump every night%') FROM mcpgate.documents WHERE doc_id = 'guide-1'")" \
    "Backups|true|https://kb.example/backups|true" "  with the file's text, its url, visible to alice only"
is "$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', 'nightly backups')")" 1 "  and searchable"
adm document-upsert.sql -v id="x'; DROP TABLE mcpgate.documents; --" -v title=t -v body=b
is $? 3 "a bad id is refused"
adm document-upsert.sql -v id=ok-id -v title="Robert'); DROP TABLE mcpgate.documents;--" -v body='b'
is "$(it_psql "SELECT title FROM mcpgate.documents WHERE doc_id = 'ok-id'")" "Robert'); DROP TABLE mcpgate.documents;--" "SQL metacharacters are stored literally"
adm document-upsert.sql -v id=nobody-doc -v title=t -v body=b -v owner=nosuchuser
is $? 3 "an unknown owner is refused"
adm document-upsert.sql -v title=t -v body=b
is $? 3 "a missing id is refused"
like "$(cat "$IT_DIR/out")" 'give -v id' "  with a message"
is "$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE doc_id = 'nobody-doc'")" 0 "  nothing changed"
adm document-delete.sql -v id=ok-id
is "$?/$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE doc_id = 'ok-id'")" "0/0" "document-delete deletes"
adm document-delete.sql -v id=ok-id
is $? 3 "deleting an unknown document is an error"
adm tool-enable.sql -v name=search -v enable=0
is "$?/$(it_psql "SELECT enabled FROM mcpgate.tools WHERE name = 'search'")" "0/f" "tool-enable disables a tool"
adm tool-enable.sql -v name=search
is "$?/$(it_psql "SELECT enabled FROM mcpgate.tools WHERE name = 'search'")" "0/t" "  and enables it"
like "$(cat "$IT_DIR/out")" 'search.*tool_search' "  listing the tools"
adm tool-enable.sql -v name=nope -v enable=0
is $? 3 "an unknown tool is an error"
is "$(it_psql "SELECT string_agg(event, ',' ORDER BY id) FROM mcpgate.audit_log")" \
    "document_upsert,document_upsert,document_upsert,document_delete,tool_disable,tool_enable" "every change is audited"
done_testing
