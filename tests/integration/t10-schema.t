#!/bin/bash
# t10-schema.t -- the PostgreSQL schema and its upgrade path, on a real
# cluster: install.sql on a fresh database, every table and column
# documented, every statement of the C registry prepares against it
# (tests/db/test_stmt), install.sql refuses an installed database,
# upgrade.sql is a no-op at the latest version and applies a migration
# exactly once, and a failing migration leaves nothing behind.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres jq
it_db t10
PSQL=$(_stack_pg_bindir)/psql
psqlf() { "$PSQL" -X -q -d "$IT_DB" -v ON_ERROR_STOP=1 "$@"; }

is "$(it_psql 'SELECT max(version) FROM mcpgate.schema_version')" 1 "install.sql records schema version 1"
is "$(grep -o 'DB_SCHEMA_VERSION[[:space:]]*[0-9]*' "$top_srcdir/src/lib/db.h" | awk '{print $2}')" 1 \
    "the programs are built for the same version (db.h)"

tables=$(it_psql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mcpgate' AND c.relkind = 'r'")
for t in clients users login_sessions consents authorization_codes tokens token_families \
    documents tools prompts audit_log rate_limits schema_version; do
	like " $tables " " $t " "table $t exists"
done
is "$(it_psql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'mcpgate' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL")" 0 \
    "every table has a comment"
undoc=$(it_psql "SELECT string_agg(c.relname || '.' || a.attname, ' ') FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'mcpgate' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    AND col_description(c.oid, a.attnum) IS NULL")
is "$undoc" "" "every column has a comment"
is "$(it_psql "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mcpgate'
    AND a.attname ~ '(secret|token|code|session|password)$' AND a.attnum > 0
    AND c.relkind = 'r'")" 0 \
    "S-24: no column that would hold a secret in the clear (only *_hash columns)"

# Every statement the programs prepare, against this schema.
MCPGATE_TEST_CONNINFO=$IT_CONNINFO "$top_builddir/tests/db/test_stmt" >"$IT_DIR/stmt.out" 2>&1
rc=$?
ok $rc "every registered statement prepares with its declared parameter count"
[ $rc = 0 ] || diag "$(grep -v '^ok' "$IT_DIR/stmt.out")"
like "$(grep -c '^ok' "$IT_DIR/stmt.out")" '^[1-9]' "  (the statement test ran checks)"

# install.sql on an installed database: refused, nothing changed.
before=$(it_psql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mcpgate'")
psqlf -f "$IT_SQLDIR/install.sql" >"$IT_DIR/reinstall.out" 2>&1
is $? 3 "install.sql on an installed database fails (psql exit 3)"
grep -q "already installed" "$IT_DIR/reinstall.out"
ok $? "  saying it is already installed and pointing at upgrade.sql"
is "$(it_psql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mcpgate'")" \
    "$before" "  and changes nothing"

psqlf -f "$IT_SQLDIR/upgrade.sql" >"$IT_DIR/upgrade.out" 2>&1
is $? 0 "upgrade.sql at the latest version: exit 0"
grep -q "up to date at version 1" "$IT_DIR/upgrade.out"
ok $? "  and says it is up to date"

"$PSQL" -X -q -d postgres -c "CREATE DATABASE ${IT_DB}_empty" >/dev/null
it_at_exit "'$PSQL' -X -q -d postgres -c 'DROP DATABASE IF EXISTS ${IT_DB}_empty' >/dev/null 2>&1"
"$PSQL" -X -q -d "${IT_DB}_empty" -v ON_ERROR_STOP=1 -f "$IT_SQLDIR/upgrade.sql" >"$IT_DIR/upgrade-empty.out" 2>&1
is $? 3 "upgrade.sql on a database without mcpgate: refused"
grep -q "install.sql" "$IT_DIR/upgrade-empty.out"
ok $? "  pointing at install.sql"

# The mechanism with a migration: a scratch copy of sql/ with 0002 added
# the way sql/migrations/README.md says.
S=$IT_DIR/sql
cp -r "$IT_SQLDIR" "$S"
cat >"$S/migrations/0002-test-note.sql" <<'SQL'
BEGIN;
DO $$ BEGIN
  IF (SELECT max(version) FROM mcpgate.schema_version) <> 1 THEN
    RAISE EXCEPTION 'migration 0002 needs version 1';
  END IF;
END $$;
ALTER TABLE mcpgate.clients ADD COLUMN test_note text;
COMMENT ON COLUMN mcpgate.clients.test_note IS 'added by a test migration';
INSERT INTO mcpgate.schema_version (version, description) VALUES (2, 'test note');
COMMIT;
SQL
block="SELECT :mcpgate_version < 2 AS mcpgate_apply \\gset
\\if :mcpgate_apply
  \\ir migrations/0002-test-note.sql
  SELECT max(version) AS mcpgate_version FROM mcpgate.schema_version \\gset
\\endif"
awk -v b="$block" '/^-- \(no migrations yet/ { print b; next }
    /^\\set mcpgate_latest 1$/ { print "\\set mcpgate_latest 2"; next } { print }' \
    "$IT_SQLDIR/upgrade.sql" >"$S/upgrade.sql"
psqlf -f "$S/upgrade.sql" >"$IT_DIR/up2.out" 2>&1
is $? 0 "a pending migration is applied"
is "$(it_psql 'SELECT max(version) FROM mcpgate.schema_version')" 2 "  the database is at version 2"
is "$(it_psql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mcpgate' AND column_name = 'test_note'")" 1 \
    "  its change is there"
psqlf -f "$S/upgrade.sql" >"$IT_DIR/up2b.out" 2>&1
is $? 0 "running upgrade.sql again is harmless"
is "$(it_psql 'SELECT count(*) FROM mcpgate.schema_version')" 2 "  the migration ran exactly once"
psqlf -f "$IT_SQLDIR/upgrade.sql" >"$IT_DIR/up-old.out" 2>&1
is $? 3 "an older upgrade.sql refuses a newer database"

# A failing migration: nothing of it stays.
it_psql "SET client_min_messages = warning; DROP SCHEMA mcpgate CASCADE" >/dev/null
psqlf -f "$IT_SQLDIR/install.sql" >/dev/null 2>&1
sed -i 's/^COMMIT;/SELECT 1 \/ 0;\nCOMMIT;/' "$S/migrations/0002-test-note.sql"
psqlf -f "$S/upgrade.sql" >"$IT_DIR/up-fail.out" 2>&1
is $? 3 "a failing migration stops upgrade.sql"
is "$(it_psql 'SELECT max(version) FROM mcpgate.schema_version')" 1 "  the database stays at version 1"
is "$(it_psql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mcpgate' AND column_name = 'test_note'")" 0 \
    "  with none of the migration's changes"

# The demo data loads, twice, and is searchable.
psqlf -f "$IT_SQLDIR/demo.sql" >/dev/null 2>&1
ok $? "demo.sql loads"
psqlf -f "$IT_SQLDIR/demo.sql" >/dev/null 2>&1
ok $? "demo.sql loads again (idempotent)"
n=$(it_psql "SELECT count(*) FROM mcpgate.documents")
like "$n" '^([5-9]|[1-9][0-9])$' "demo documents present ($n)"
is "$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', 'ChatGPT')")" \
    "$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE title || ' ' || body ILIKE '%chatgpt%'")" \
    "full-text search finds the documents that mention ChatGPT"
# Ranking reads documents.tsv for every match: it stays in the heap row
# (STORAGE MAIN; bench/results/ measured TOAST costing half the search rate).
is "$(it_psql "SELECT attstorage FROM pg_attribute WHERE attrelid = 'mcpgate.documents'::regclass AND attname = 'tsv'")" m \
    "documents.tsv is stored in the row (STORAGE MAIN), not in TOAST first"

# The rate-limit counter: atomic, window-based.
r=$(it_psql "SELECT string_agg((mcpgate.rate_limit_hit('t10:ip', '1 minute', 3) > 0)::text, ',') FROM generate_series(1, 5)")
is "$r" "false,false,false,true,true" "rate_limit_hit allows 3 in a window, then refuses"
is "$(it_psql "SELECT jsonb_typeof(mcpgate.purge_expired())")" object "purge_expired runs"
done_testing
