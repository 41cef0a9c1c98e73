-- mcpgate: install the schema into a fresh database.
--
-- Usage (from anywhere; the path to schema.sql is taken relative to this file):
--
--   psql -d DB -f sql/install.sql
--
-- Add -h/-p/-U as your host requires; -X skips your ~/.psqlrc. Do not add
-- --single-transaction (-1): schema.sql is one transaction of its own.
--
-- It stops at the first error (exit status 3) and changes nothing then:
-- schema.sql is a single transaction. It refuses a database that already has
-- mcpgate (use sql/upgrade.sql there) or a PostgreSQL older than 15.
-- To load the demo documents afterwards: psql -d DB -f sql/demo.sql

\set ON_ERROR_STOP on
\set QUIET on

DO $$
BEGIN
  IF current_setting('server_version_num')::int < 150000 THEN
    RAISE EXCEPTION 'mcpgate needs PostgreSQL 15 or newer; this server is %',
      current_setting('server_version');
  END IF;

  IF to_regclass('mcpgate.schema_version') IS NOT NULL THEN
    RAISE EXCEPTION 'mcpgate is already installed in database "%"; install.sql changed nothing',
      current_database()
      USING HINT = 'To upgrade an installed database run: psql -d DB -f sql/upgrade.sql';
  END IF;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'mcpgate') THEN
    RAISE EXCEPTION 'database "%" has a schema "mcpgate" without mcpgate.schema_version; install.sql changed nothing',
      current_database()
      USING HINT = 'It is not an mcpgate install this script knows. Inspect it, and drop it yourself (DROP SCHEMA mcpgate CASCADE) only if it holds nothing you need.';
  END IF;
END
$$;

\echo 'mcpgate: installing schema into database' :DBNAME
\ir schema.sql

SELECT 'mcpgate: installed schema version ' || max(version) AS result
  FROM mcpgate.schema_version \gset
\echo :result
