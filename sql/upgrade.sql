-- mcpgate: upgrade an installed database to the schema version of this release.
--
-- Usage (only psql is needed; no shell, so it works on shared hosts):
--
--   psql -d DB -f sql/upgrade.sql
--
-- Add -h/-p/-U as your host requires; -X skips your ~/.psqlrc. Do not add
-- --single-transaction (-1): each migration is one transaction of its own.
--
-- It reads the current version (max(version) of mcpgate.schema_version) and
-- applies, in order, every migration in the list below whose number is higher.
-- Each migration file upgrades NNNN-1 to NNNN in its own transaction and
-- records NNNN; the first error stops the script (exit status 3) with the
-- database at the last version that completed. Running it again is harmless:
-- migrations already applied are skipped, and at the latest version it does
-- nothing and exits 0.
--
-- It refuses a database without mcpgate.schema_version (run sql/install.sql
-- for a fresh one) and a database newer than this script knows (use the sql/
-- directory of the release that installed it, or a newer one).
--
-- Adding a migration: see sql/migrations/README.md. In short: write
-- sql/migrations/NNNN-short-name.sql, add a block for it at the end of the list
-- below, and set mcpgate_latest to NNNN.

\set ON_ERROR_STOP on
\set QUIET on

-- The newest schema version this file can reach. Keep equal to the last
-- migration in the list (1 = schema.sql, no migrations yet).
\set mcpgate_latest 1

-- Refuse what we cannot upgrade. The DO block reads mcpgate_latest through a
-- setting, because psql does not substitute variables inside $$ quotes.
SELECT set_config('mcpgate.upgrade_latest', :'mcpgate_latest', false) AS mcpgate_ignored \gset
DO $$
DECLARE
  v_latest  int := current_setting('mcpgate.upgrade_latest')::int;
  v_current int;
BEGIN
  IF to_regclass('mcpgate.schema_version') IS NULL THEN
    RAISE EXCEPTION 'mcpgate is not installed in database "%" (no mcpgate.schema_version); upgrade.sql changed nothing',
      current_database()
      USING HINT = 'For a fresh database run: psql -d DB -f sql/install.sql';
  END IF;
  SELECT max(version) INTO v_current FROM mcpgate.schema_version;
  IF v_current IS NULL THEN
    RAISE EXCEPTION 'mcpgate.schema_version in database "%" is empty; upgrade.sql changed nothing',
      current_database()
      USING HINT = 'The install is damaged: restore it from a backup.';
  END IF;
  IF v_current > v_latest THEN
    RAISE EXCEPTION 'database "%" is at mcpgate schema version %, newer than this upgrade.sql knows (%); upgrade.sql changed nothing',
      current_database(), v_current, v_latest
      USING HINT = 'Use the sql/ directory of the mcpgate release that installed it, or a newer one.';
  END IF;
END
$$;

SELECT max(version) AS mcpgate_version FROM mcpgate.schema_version \gset
\echo 'mcpgate: database' :DBNAME 'is at schema version' :mcpgate_version

-- ---------------------------------------------------------------------------
-- Migrations, oldest first. One block per file, all alike:
--
-- SELECT :mcpgate_version < 2 AS mcpgate_apply \gset
-- \if :mcpgate_apply
--   \echo 'mcpgate: applying migrations/0002-short-name.sql'
--   \ir migrations/0002-short-name.sql
--   SELECT max(version) AS mcpgate_version FROM mcpgate.schema_version \gset
--   SELECT :mcpgate_version = 2 AS mcpgate_ok \gset
--   \if :mcpgate_ok
--   \else
--     \echo 'mcpgate: migrations/0002-short-name.sql did not record version 2'
--     DO $$ BEGIN RAISE EXCEPTION 'migration did not record its version'; END $$;
--   \endif
-- \endif
--
-- (Replace every 2 and every file name in the block; then set mcpgate_latest above.)
-- ---------------------------------------------------------------------------

-- (no migrations yet: version 1 is schema.sql)

-- ---------------------------------------------------------------------------

SELECT :mcpgate_version = :mcpgate_latest AS mcpgate_ok \gset
\if :mcpgate_ok
\echo 'mcpgate: schema is up to date at version' :mcpgate_version
\else
\echo 'mcpgate: ended at version' :mcpgate_version 'but this release expects' :mcpgate_latest '(the migration list and mcpgate_latest disagree)'
DO $$ BEGIN RAISE EXCEPTION 'upgrade.sql is inconsistent: see the message above'; END $$;
\endif
