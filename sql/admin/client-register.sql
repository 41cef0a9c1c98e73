-- mcpgate admin: register an OAuth client by hand (a "pre-registered"
-- client, as opposed to one that registers itself at /register).
--
-- Usage:
--   psql -X -d DB -v client_name=NAME -v redirect_uris='URI [URI...]' \
--        [-v secret=1 [-v auth_method=client_secret_basic]] [-v scope='S...'] \
--        -f sql/admin/client-register.sql
--
-- Variables (-v name=value):
--   client_name    required. Name shown to users on the consent page
--                  (1 to 255 characters, no control characters).
--   redirect_uris  required. The redirect URIs, separated by spaces. Each
--                  must be absolute, printable ASCII, at most 2048
--                  characters, https (or http on localhost, 127.x.x.x or
--                  [::1], for native apps), without user info, without a
--                  fragment (#) and without wildcards (*). An authorization
--                  request must then use one of them exactly.
--   secret         1: a confidential client. A client secret is made here
--                  (as user-create.sql makes its token: 64 hex characters,
--                  244 random bits from PostgreSQL's strong generator),
--                  printed once, and only its SHA-256 is stored
--                  (clients.secret_hash). Default 0: a public client
--                  (token_endpoint_auth_method none; PKCE only).
--   auth_method    with secret=1: client_secret_post (the default) or
--                  client_secret_basic, how the client sends its secret.
--   scope          optional: the scopes the client registers for, separated
--                  by spaces (each printable ASCII without " or \). They
--                  should be among the configured `scopes`.
--
-- The client gets client_id 'mcpgate-' followed by 32 hex characters,
-- registration 'admin', grant types authorization_code and refresh_token,
-- response type code, and metadata = the RFC 7591 registration response
-- (client_id, client_id_issued_at, client_name, redirect_uris,
-- token_endpoint_auth_method, grant_types, response_types, scope if given,
-- client_secret_expires_at 0 if it has a secret), never the secret.
--
-- Examples:
--   psql -X -d mcpgate -v client_name='Team assistant' \
--        -v redirect_uris='https://app.example.com/oauth/callback' \
--        -v secret=1 -f sql/admin/client-register.sql
--   psql -X -d mcpgate -v client_name='Desktop tool' \
--        -v redirect_uris='http://127.0.0.1/callback http://localhost/callback' \
--        -f sql/admin/client-register.sql
--
-- Prints the client_id, and with secret=1 the client_secret: shown only
-- now, it cannot be shown again (register a new client if it is lost).
-- On error it changes nothing and exits with status 3.
-- Audit: one row, event client_register, with client_id and detail
-- {client_name, redirect_uris, token_endpoint_auth_method, scope,
-- registration}; never the secret or its hash.

\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SET search_path = pg_catalog, pg_temp;

\if :{?client_name}
\else
  DO $$ BEGIN RAISE EXCEPTION 'client-register.sql: -v client_name=NAME is required; nothing changed'
    USING HINT = 'psql -X -d DB -v client_name=NAME -v redirect_uris=''https://app.example.com/cb'' [-v secret=1] -f sql/admin/client-register.sql'; END $$;
\endif
\if :{?redirect_uris}
\else
  DO $$ BEGIN RAISE EXCEPTION 'client-register.sql: -v redirect_uris=''URI [URI...]'' is required; nothing changed'
    USING HINT = 'psql -X -d DB -v client_name=NAME -v redirect_uris=''https://app.example.com/cb'' [-v secret=1] -f sql/admin/client-register.sql'; END $$;
\endif
\if :{?secret}
\else
  \set secret 0
\endif
\if :{?auth_method}
\else
  \set auth_method ''
\endif
\if :{?scope}
\else
  \set scope ''
\endif

BEGIN;

-- Values reach the DO block through transaction-local settings (psql does
-- not substitute variables inside $$ quotes); no SQL is built from them.
SELECT set_config('mcpgate_admin.client_name', :'client_name', true),
       set_config('mcpgate_admin.redirect_uris', :'redirect_uris', true),
       set_config('mcpgate_admin.secret', :'secret', true),
       set_config('mcpgate_admin.auth_method', :'auth_method', true),
       set_config('mcpgate_admin.scope', :'scope', true)
\gset mcpgate_ignored_

DO $$
DECLARE
  v_name        text := current_setting('mcpgate_admin.client_name');
  v_uris_in     text := current_setting('mcpgate_admin.redirect_uris');
  v_method      text := current_setting('mcpgate_admin.auth_method');
  v_scope       text := btrim(regexp_replace(current_setting('mcpgate_admin.scope'), '\s+', ' ', 'g'));
  v_with_secret boolean;
  v_uris        text[];
  v_uri         text;
  v_why         text;
  v_bad         text[] := '{}';
  v_tok         text;
  v_client_id   text;
  v_secret      text;
  v_created     timestamptz;
  v_out         text;
BEGIN
  IF current_setting('mcpgate_admin.secret') !~* '^(1|0|on|off|true|false|yes|no)$' THEN
    RAISE EXCEPTION 'client-register.sql: -v secret=% is not a flag (use 1 or 0); nothing changed',
      current_setting('mcpgate_admin.secret');
  END IF;
  v_with_secret := current_setting('mcpgate_admin.secret')::boolean;

  IF v_name = '' OR char_length(v_name) > 255 OR v_name ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'client-register.sql: client_name must be 1 to 255 characters without control characters; nothing changed';
  END IF;

  -- Authentication method: a secret exists exactly when the method uses one.
  IF v_with_secret THEN
    v_method := coalesce(nullif(v_method, ''), 'client_secret_post');
    IF v_method NOT IN ('client_secret_post', 'client_secret_basic') THEN
      RAISE EXCEPTION 'client-register.sql: -v auth_method=% : with -v secret=1 it must be client_secret_post (the default) or client_secret_basic; nothing changed',
        v_method;
    END IF;
  ELSE
    IF v_method NOT IN ('', 'none') THEN
      RAISE EXCEPTION 'client-register.sql: -v auth_method=% needs a secret: add -v secret=1; nothing changed',
        v_method;
    END IF;
    v_method := 'none';
  END IF;

  -- Redirect URIs: absolute, https or loopback http, no fragment, no
  -- wildcard, no user info, printable ASCII (what the C URL parser takes).
  v_uris := regexp_split_to_array(btrim(v_uris_in, E' \t\r\n'), '[ \t\r\n]+');
  IF v_uris = '{""}' THEN
    RAISE EXCEPTION 'client-register.sql: -v redirect_uris is empty; give at least one URI; nothing changed';
  END IF;
  FOREACH v_uri IN ARRAY v_uris LOOP
    v_why := CASE
      WHEN v_uri !~ '^[!-~]+$' THEN 'has characters other than printable ASCII'
      WHEN char_length(v_uri) > 2048 THEN 'is longer than 2048 characters'
      WHEN strpos(v_uri, '*') > 0 THEN 'has a wildcard (*); register each URI exactly'
      WHEN strpos(v_uri, '#') > 0 THEN 'has a fragment (#)'
      WHEN v_uri !~ '^[A-Za-z][A-Za-z0-9+.-]*://' THEN 'is not an absolute URI (scheme://host/path)'
      WHEN v_uri ~* '^https?://' AND v_uri !~ '^https?://' THEN 'must have its scheme in lower case'
      WHEN v_uri ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*@' THEN 'has user info (user@host)'
      WHEN v_uri ~ '^https://([A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?([/?].*)?$' THEN NULL
      WHEN v_uri ~ '^http://(localhost|127\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){2}|\[::1\])(:[0-9]{1,5})?([/?].*)?$' THEN NULL
      WHEN v_uri ~ '^http://' THEN 'uses http on a host that is not loopback (only localhost, 127.x.x.x and [::1] may use http)'
      WHEN v_uri ~ '^https://' THEN 'does not have a valid host'
      ELSE 'is not https (or http on a loopback host)'
    END;
    IF v_why IS NULL AND cardinality(array_positions(v_uris, v_uri)) > 1 THEN
      v_why := 'is listed twice';
    END IF;
    IF v_why IS NOT NULL AND NOT format('"%s" %s', v_uri, v_why) = ANY (v_bad) THEN
      v_bad := v_bad || format('"%s" %s', v_uri, v_why);
    END IF;
  END LOOP;
  IF cardinality(v_bad) > 0 THEN
    RAISE EXCEPTION 'client-register.sql: invalid redirect URI: %; nothing changed',
      array_to_string(v_bad, '; ')
      USING HINT = 'Redirect URIs must be absolute https URIs (or http on localhost, 127.x.x.x or [::1]) without a fragment or wildcard.';
  END IF;

  -- Scope: space-separated scope tokens (RFC 6749 section 3.3), no repeats.
  IF v_scope = '' THEN
    v_scope := NULL;
  ELSE
    FOREACH v_tok IN ARRAY string_to_array(v_scope, ' ') LOOP
      IF v_tok !~ '^[!-~]+$' OR v_tok ~ '["\\]' THEN
        RAISE EXCEPTION 'client-register.sql: scope "%" is not a valid scope name (printable ASCII without " or \); nothing changed',
          v_tok;
      END IF;
      IF cardinality(array_positions(string_to_array(v_scope, ' '), v_tok)) > 1 THEN
        RAISE EXCEPTION 'client-register.sql: scope "%" is listed twice; nothing changed', v_tok;
      END IF;
    END LOOP;
  END IF;

  -- One statement makes the client_id and the secret, stores the secret's
  -- hash and hands the secret back: it never appears in any statement text.
  WITH gen AS (
    SELECT 'mcpgate-' || replace(gen_random_uuid()::text, '-', '') AS client_id,
           CASE WHEN v_with_secret
                THEN replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') END AS secret,
           now() AS created_at
  ), ins AS (
    INSERT INTO mcpgate.clients (client_id, secret_hash, token_endpoint_auth_method,
                                 redirect_uris, client_name, scope, grant_types,
                                 response_types, metadata, registration, created_at)
    SELECT g.client_id, sha256(convert_to(g.secret, 'UTF8')), v_method,
           v_uris, v_name, v_scope, '{authorization_code,refresh_token}', '{code}',
           jsonb_strip_nulls(jsonb_build_object(
             'client_id', g.client_id,
             'client_id_issued_at', floor(extract(epoch FROM g.created_at))::bigint,
             'client_name', v_name,
             'redirect_uris', to_jsonb(v_uris),
             'token_endpoint_auth_method', v_method,
             'grant_types', jsonb_build_array('authorization_code', 'refresh_token'),
             'response_types', jsonb_build_array('code'),
             'scope', v_scope,
             'client_secret_expires_at', CASE WHEN v_with_secret THEN 0 END)),
           'admin', g.created_at
      FROM gen g
    RETURNING client_id
  )
  SELECT ins.client_id, gen.secret, gen.created_at INTO v_client_id, v_secret, v_created
    FROM ins CROSS JOIN gen;

  INSERT INTO mcpgate.audit_log (event, client_id, remote_addr, detail)
  VALUES ('client_register', v_client_id, inet_client_addr(),
          jsonb_strip_nulls(jsonb_build_object(
            'client_name', v_name,
            'redirect_uris', to_jsonb(v_uris),
            'token_endpoint_auth_method', v_method,
            'scope', v_scope,
            'registration', 'admin',
            'db_user', session_user,
            'script', 'client-register.sql')));

  v_out := format(E'mcpgate: registered client "%s" (%s)\nclient_id: %s',
                  v_name, CASE WHEN v_with_secret THEN 'confidential, ' || v_method ELSE 'public, PKCE only' END,
                  v_client_id);
  IF v_with_secret THEN
    v_out := v_out || format(E'\nclient_secret: %s\n(the secret is shown only now: mcpgate keeps only its hash)', v_secret);
  END IF;
  PERFORM set_config('mcpgate_admin.out', v_out, true);
END
$$;

SELECT current_setting('mcpgate_admin.out') AS mcpgate_out \gset
COMMIT;
\echo :mcpgate_out
