-- mcpgate admin: create a user, or give an existing one a new password or
-- a new set-password link.
--
-- Usage:
--   psql -X -d DB -v username=NAME -v password_hash='HASH' -f sql/admin/user-create.sql
--   psql -X -d DB -v username=NAME -v link=1 -v issuer=URL -f sql/admin/user-create.sql
--
-- Variables (-v name=value):
--   username       required. Login name, 1 to 255 characters, no control
--                  characters. Unique regardless of case: an existing name
--                  ("Alice" when "alice" exists) is refused, unless reset=1.
--   password_hash  the user's password as an argon2id string, as printed by
--                  the mcpgate-passwd program:
--                      echo 'the password' | mcpgate-passwd
--                  Put it in single quotes on a shell command line: it is
--                  full of '$'. Either this or link=1, not both.
--   link           1: instead of a password, make a one-time link with which
--                  the user sets their own password on the login pages.
--                  Default 0.
--   issuer         required with link=1: the issuer of the configuration,
--                  an origin such as https://kb.example.org (https, or http
--                  on localhost, 127.x.x.x or [::1]).
--   mcp_path       with link=1: mcp_path of the configuration. Default /mcp.
--   valid          with link=1: how long the link works, a PostgreSQL
--                  interval. Default '7 days'.
--   display_name   optional: the name shown on pages. New users only.
--   reset          1: the user must already exist; set the new password, or
--                  make a new link, and change nothing else (a disabled user
--                  stays disabled: see user-disable.sql -v enable=1).
--                  A new password also cancels a pending link; a new link
--                  replaces any earlier one and leaves the current password
--                  working until the link is used. Default 0.
--
-- The link is <issuer><mcp_path>/password?token=<token>. The token is made
-- here, in SQL, because the operator may have psql and nothing else (no
-- shell, no openssl): replace(gen_random_uuid()::text ||
-- gen_random_uuid()::text, '-', ''), 64 hex characters of which 244 bits
-- are random (two version-4 UUIDs, 122 random bits each), drawn from
-- PostgreSQL's cryptographically strong generator (pg_strong_random:
-- OpenSSL or the kernel). The token never travels back to the server: it
-- is made, hashed and returned by a single statement; only its SHA-256
-- (users.set_password_hash) is stored, with set_password_expires_at.
-- It is printed once, here, and cannot be shown again: to replace a lost
-- link, run again with reset=1.
--
-- Examples:
--   psql -X -d mcpgate -v username=alice \
--        -v password_hash="$(echo 'correct horse' | mcpgate-passwd)" \
--        -f sql/admin/user-create.sql
--   psql -X -d mcpgate -v username=bob -v display_name='Bob B.' -v link=1 \
--        -v issuer=https://kb.example.org -v valid='2 days' \
--        -f sql/admin/user-create.sql
--
-- Prints one line saying what it did; with link=1, then the link (once).
-- On any error it changes nothing and exits with status 3.
-- Audit: one row, event user_create (or user_reset with reset=1), detail
-- {username, display_name, password ("set" or "link"), link_expires_at,
-- db_user}; never the password hash, the token or its hash.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?username}
\else
  DO $$ BEGIN RAISE EXCEPTION 'user-create.sql: -v username=NAME is required; nothing changed'
    USING HINT = 'psql -X -d DB -v username=NAME -v password_hash=''HASH'' -f sql/admin/user-create.sql (or -v link=1 -v issuer=URL instead of password_hash)'; END $$;
\endif
\if :{?password_hash}
\else
  \set password_hash ''
\endif
\if :{?link}
\else
  \set link 0
\endif
\if :{?issuer}
\else
  \set issuer ''
\endif
\if :{?mcp_path}
\else
  \set mcp_path /mcp
\endif
\if :{?valid}
\else
  \set valid '7 days'
\endif
\if :{?display_name}
\else
  \set display_name ''
\endif
\if :{?reset}
\else
  \set reset 0
\endif

BEGIN;

-- psql does not substitute variables inside a DO block's $$ quotes: the
-- values go in as quoted literals to transaction-local settings, which the
-- block reads. No SQL is ever built from them.
SELECT set_config('mcpgate_admin.username', :'username', true),
       set_config('mcpgate_admin.password_hash', :'password_hash', true),
       set_config('mcpgate_admin.link', :'link', true),
       set_config('mcpgate_admin.issuer', :'issuer', true),
       set_config('mcpgate_admin.mcp_path', :'mcp_path', true),
       set_config('mcpgate_admin.valid', :'valid', true),
       set_config('mcpgate_admin.display_name', :'display_name', true),
       set_config('mcpgate_admin.reset', :'reset', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_username     text := current_setting('mcpgate_admin.username');
  v_hash         text := current_setting('mcpgate_admin.password_hash');
  v_issuer       text := current_setting('mcpgate_admin.issuer');
  v_mcp_path     text := current_setting('mcpgate_admin.mcp_path');
  v_display_name text := nullif(current_setting('mcpgate_admin.display_name'), '');
  v_link         boolean;
  v_reset        boolean;
  v_valid        interval;
  v_name         text;
  v_user         record;
  v_user_id      bigint;
  v_expires      timestamptz;
  v_url          text;
  v_out          text;
BEGIN
  -- Flags: 1/0, on/off, true/false, yes/no.
  FOREACH v_name IN ARRAY ARRAY['link', 'reset'] LOOP
    IF current_setting('mcpgate_admin.' || v_name) !~* '^(1|0|on|off|true|false|yes|no)$' THEN
      RAISE EXCEPTION 'user-create.sql: -v %=% is not a flag (use 1 or 0); nothing changed',
        v_name, current_setting('mcpgate_admin.' || v_name);
    END IF;
  END LOOP;
  v_link := current_setting('mcpgate_admin.link')::boolean;
  v_reset := current_setting('mcpgate_admin.reset')::boolean;

  IF v_username = '' OR char_length(v_username) > 255 OR v_username ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'user-create.sql: username must be 1 to 255 characters without control characters; nothing changed';
  END IF;

  IF v_link = (v_hash <> '') THEN
    RAISE EXCEPTION 'user-create.sql: give either -v password_hash=''HASH'' or -v link=1 (you gave %); nothing changed',
      CASE WHEN v_link THEN 'both' ELSE 'neither' END
      USING HINT = 'Make the hash with: echo ''the password'' | mcpgate-passwd';
  END IF;

  IF NOT v_link THEN
    -- libsodium crypto_pwhash_str: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    IF v_hash !~ '^\$argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$' THEN
      RAISE EXCEPTION 'user-create.sql: -v password_hash is not an argon2id string as printed by mcpgate-passwd; nothing changed'
        USING HINT = 'On a shell command line, quote it with single quotes (it contains $), or use -v password_hash="$(echo ''pw'' | mcpgate-passwd)".';
    END IF;
  ELSE
    v_issuer := regexp_replace(v_issuer, '/$', '');
    IF v_issuer = '' THEN
      RAISE EXCEPTION 'user-create.sql: -v link=1 needs -v issuer=URL (the issuer of your configuration, e.g. https://kb.example.org); nothing changed';
    END IF;
    IF v_issuer !~ '^https://([A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$'
       AND v_issuer !~ '^http://(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|\[::1\])(:[0-9]{1,5})?$' THEN
      RAISE EXCEPTION 'user-create.sql: -v issuer=% is not an origin such as https://kb.example.org (https, or http on a loopback host; no path); nothing changed',
        v_issuer;
    END IF;
    IF v_mcp_path !~ '^(/[A-Za-z0-9._~-]+)+$' OR v_mcp_path ~ '^/\.well-known(/|$)' THEN
      RAISE EXCEPTION 'user-create.sql: -v mcp_path=% is not a path like /mcp (letters, digits, - _ . ~ /; no trailing slash); nothing changed',
        v_mcp_path;
    END IF;
    BEGIN
      v_valid := current_setting('mcpgate_admin.valid')::interval;
    EXCEPTION WHEN OTHERS THEN
      v_valid := NULL;
    END;
    IF v_valid IS NULL OR now() + v_valid <= now() THEN
      RAISE EXCEPTION 'user-create.sql: -v valid=% is not a positive interval such as ''7 days'' or ''12 hours''; nothing changed',
        current_setting('mcpgate_admin.valid');
    END IF;
    v_expires := now() + v_valid;
  END IF;

  SELECT u.user_id, u.username, u.disabled_at INTO v_user
    FROM mcpgate.users u
   WHERE lower(u.username) = lower(v_username)
     FOR UPDATE;

  IF NOT v_reset THEN
    IF FOUND THEN
      RAISE EXCEPTION 'user-create.sql: user "%" already exists (as "%", user_id %; usernames are unique regardless of case); nothing changed',
        v_username, v_user.username, v_user.user_id
        USING HINT = 'To give that user a new password or link, add -v reset=1.';
    END IF;
    INSERT INTO mcpgate.users (username, password_hash, display_name,
                               set_password_hash, set_password_expires_at)
    VALUES (v_username, nullif(v_hash, ''), v_display_name, NULL, NULL)
    RETURNING user_id INTO v_user_id;
    v_out := format('mcpgate: created user "%s" (user_id %s)%s', v_username, v_user_id,
                    CASE WHEN v_link THEN ', without a password yet' ELSE ', password set' END);
  ELSE
    IF NOT FOUND THEN
      RAISE EXCEPTION 'user-create.sql: no user "%" to reset; nothing changed', v_username
        USING HINT = 'Leave out -v reset=1 to create the user.';
    END IF;
    IF v_display_name IS NOT NULL THEN
      RAISE EXCEPTION 'user-create.sql: -v reset=1 changes only the password or link, not display_name; nothing changed';
    END IF;
    v_user_id := v_user.user_id;
    v_username := v_user.username;
    IF NOT v_link THEN
      -- A new password also cancels a pending set-password link.
      UPDATE mcpgate.users
         SET password_hash = v_hash, set_password_hash = NULL, set_password_expires_at = NULL
       WHERE user_id = v_user_id;
    END IF;
    v_out := format('mcpgate: reset user "%s" (user_id %s)%s%s', v_username, v_user_id,
                    CASE WHEN v_link THEN ': new set-password link' ELSE ': new password set' END,
                    CASE WHEN v_user.disabled_at IS NOT NULL
                         THEN format(' (note: the user is disabled since %s; enable with user-disable.sql -v enable=1)',
                                     to_char(v_user.disabled_at, 'YYYY-MM-DD HH24:MI:SS TZ'))
                         ELSE '' END);
  END IF;

  IF v_link THEN
    -- One statement makes the token, stores its hash and hands it back, so
    -- the token is never sent to the server in any statement text.
    UPDATE mcpgate.users u
       SET set_password_hash = sha256(convert_to(t.token, 'UTF8')),
           set_password_expires_at = v_expires
      FROM (SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') AS token) t
     WHERE u.user_id = v_user_id
    RETURNING v_issuer || v_mcp_path || '/password?token=' || t.token INTO v_url;
    v_out := v_out || format(E'.\nSend them this one-time link to set their password; it works until %s and is shown only now:\n%s',
                             to_char(v_expires, 'YYYY-MM-DD HH24:MI:SS TZ'), v_url);
  END IF;

  INSERT INTO mcpgate.audit_log (event, user_id, remote_addr, detail)
  VALUES (CASE WHEN v_reset THEN 'user_reset' ELSE 'user_create' END,
          v_user_id, inet_client_addr(),
          jsonb_strip_nulls(jsonb_build_object(
            'username', v_username,
            'display_name', v_display_name,
            'password', CASE WHEN v_link THEN 'link' ELSE 'set' END,
            'link_expires_at', v_expires,
            'db_user', session_user,
            'script', 'user-create.sql')));

  PERFORM set_config('mcpgate_admin.out', v_out, true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
