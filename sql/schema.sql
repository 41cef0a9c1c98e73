-- mcpgate: PostgreSQL schema, version 1 (fresh install).
--
-- Normally run through the psql scripts, which check the database first:
--   psql -d DB -f sql/install.sql    (fresh database; it includes this file)
--   psql -d DB -f sql/upgrade.sql    (installed database; applies sql/migrations/)
-- Rule (sql/migrations/README.md): this file always equals a fresh install of
-- the latest schema version, and ends by recording that version.
--
-- Needs PostgreSQL 15 or newer (UNIQUE ... NULLS NOT DISTINCT; date_bin from 14;
-- gen_random_uuid from 13) and no extension, so it runs on shared hosts.
--
-- Plain SQL, no psql meta-commands: any client may send it. It is one
-- transaction whose first change is CREATE SCHEMA, so running it a second time
-- fails at once and changes nothing (the rest is skipped or rolled back).
--
-- Conventions:
-- * Every object lives in schema "mcpgate" and is always written qualified; the
--   search_path is pinned to pg_catalog below to prove it. Functions pin their
--   own search_path too, so callers may use any search_path (except the tools
--   trigger, which resolves the function name the caller wrote with the
--   caller's search_path, on purpose).
-- * Secrets are stored only as hashes (DESIGN section 3, SPEC S-24): every
--   *_hash bytea column holds the raw 32-byte SHA-256 digest (not hex), and a
--   CHECK enforces the length. Passwords are argon2id strings (libsodium
--   crypto_pwhash_str).
-- * Times are timestamptz. created_at defaults to now().
-- * Foreign keys: deleting a client or a user deletes everything that only
--   exists to authorise it (codes, token families and their tokens, consents,
--   login sessions). The audit log keeps plain ids with no foreign key, so
--   history survives deletions. Documents of a user block the user's deletion
--   (see documents.owner_id).
-- * No reg* column types (regconfig, regprocedure): pg_upgrade refuses to
--   upgrade any cluster holding such a column in a user table ("Checking for
--   reg* data types in user tables ... fatal"), which would block the host's
--   major-version upgrade. documents.language and tools.function are text,
--   checked on write.

BEGIN;

SET LOCAL search_path = pg_catalog;

CREATE SCHEMA mcpgate;
COMMENT ON SCHEMA mcpgate IS
  'mcpgate: MCP server and OAuth 2.1 authorization server state. Version in mcpgate.schema_version.';

-- ---------------------------------------------------------------------------
-- Schema version
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.schema_version (
  version     int PRIMARY KEY CHECK (version > 0),
  applied_at  timestamptz NOT NULL DEFAULT now(),
  description text NOT NULL
);
COMMENT ON TABLE mcpgate.schema_version IS
  'One row per schema version applied: schema.sql inserts the version it creates, each sql/migrations/NNNN-*.sql inserts NNNN. The current version is max(version).';
COMMENT ON COLUMN mcpgate.schema_version.version IS
  'Schema version number; sql/migrations/NNNN-*.sql upgrades NNNN-1 to NNNN.';
COMMENT ON COLUMN mcpgate.schema_version.applied_at IS
  'When this version was installed or applied.';
COMMENT ON COLUMN mcpgate.schema_version.description IS
  'What this version is (fresh install, or the migration''s short name).';

-- ---------------------------------------------------------------------------
-- Shared helpers
-- ---------------------------------------------------------------------------

-- The text search configuration of a document, for the generated column
-- documents.tsv. Declared IMMUTABLE although the name-to-OID lookup reads the
-- catalog: that is what lets a generated column use a per-row configuration
-- without storing a regconfig (see the header). Consequence: renaming or
-- dropping a configuration leaves stored tsv values as they were until the row
-- is updated. search_path is pinned, so non-built-in configurations must be
-- written schema-qualified (e.g. 'public.my_config').
CREATE FUNCTION mcpgate.ts_config(p_name text)
  RETURNS regconfig
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog
  RETURN p_name::regconfig;
COMMENT ON FUNCTION mcpgate.ts_config(text) IS
  'Text search configuration named p_name (error if none). Marked IMMUTABLE for documents.tsv; use the same expression to query with a document''s own language.';

-- Keeps updated_at honest on tables edited by hand or by admin scripts. An
-- UPDATE that sets updated_at itself (an import preserving times) wins.
CREATE FUNCTION mcpgate.touch_updated_at()
  RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION mcpgate.touch_updated_at() IS
  'BEFORE UPDATE trigger: sets updated_at to now() unless the UPDATE changed it explicitly.';

-- ---------------------------------------------------------------------------
-- OAuth clients (RFC 7591 dynamic registration, or created by an admin)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.clients (
  client_id                  text PRIMARY KEY CHECK (client_id <> ''),
  secret_hash                bytea CHECK (octet_length(secret_hash) = 32),
  token_endpoint_auth_method text NOT NULL
    CHECK (token_endpoint_auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
  redirect_uris              text[] NOT NULL
    CHECK (cardinality(redirect_uris) > 0 AND array_position(redirect_uris, NULL) IS NULL),
  client_name                text,
  client_uri                 text,
  logo_uri                   text,
  scope                      text,
  -- Only what the token endpoint implements (SPEC S-19: no implicit, no ROPC).
  grant_types                text[] NOT NULL DEFAULT '{authorization_code,refresh_token}'
    CHECK (grant_types <@ '{authorization_code,refresh_token}'::text[]),
  response_types             text[] NOT NULL DEFAULT '{code}'
    CHECK (response_types <@ '{code}'::text[]),
  application_type           text,
  software_id                text,
  software_version           text,
  contacts                   text[],
  metadata                   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  registration               text NOT NULL CHECK (registration IN ('dynamic', 'admin')),
  registered_from            inet,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  last_used_at               timestamptz,
  disabled_at                timestamptz,
  -- A secret exists exactly when the client authenticates with one; a public
  -- client never gets a secret (SPEC DCR-06, RFC 7591 section 3.2.1).
  CONSTRAINT clients_secret_iff_confidential
    CHECK ((token_endpoint_auth_method = 'none') = (secret_hash IS NULL))
);
COMMENT ON TABLE mcpgate.clients IS
  'OAuth clients, registered dynamically (RFC 7591, POST /register) or by an admin. Client secrets are stored only as SHA-256.';
COMMENT ON COLUMN mcpgate.clients.client_id IS
  'Random id generated by mcpgate, never chosen by the client and never starting with https:// (SPEC DCR-10, RFC 9700 section 4.15).';
COMMENT ON COLUMN mcpgate.clients.secret_hash IS
  'SHA-256 (32 raw bytes) of the client secret; NULL for public clients (token_endpoint_auth_method = none). Compare in constant time.';
COMMENT ON COLUMN mcpgate.clients.token_endpoint_auth_method IS
  'Registered token endpoint authentication method, authoritative and echoed as registered (SPEC DCR-06, TK-04): none, client_secret_post or client_secret_basic.';
COMMENT ON COLUMN mcpgate.clients.redirect_uris IS
  'Registered redirect URIs, at least one; an authorization request must match one exactly, loopback port excepted (SPEC AZ-05, AZ-07).';
COMMENT ON COLUMN mcpgate.clients.client_name IS
  'Human-readable name from registration; attacker-controlled, escape when shown (SPEC S-16).';
COMMENT ON COLUMN mcpgate.clients.client_uri IS
  'Client home page from registration; attacker-controlled, escape when shown.';
COMMENT ON COLUMN mcpgate.clients.logo_uri IS
  'Client logo URL from registration; attacker-controlled.';
COMMENT ON COLUMN mcpgate.clients.scope IS
  'Space-separated scopes the client registered for, if it gave any.';
COMMENT ON COLUMN mcpgate.clients.grant_types IS
  'Registered grant types; only authorization_code and refresh_token are allowed.';
COMMENT ON COLUMN mcpgate.clients.response_types IS
  'Registered response types; only code is allowed.';
COMMENT ON COLUMN mcpgate.clients.application_type IS
  'OIDC application_type as registered (web or native), informational.';
COMMENT ON COLUMN mcpgate.clients.software_id IS
  'RFC 7591 software_id as registered, informational.';
COMMENT ON COLUMN mcpgate.clients.software_version IS
  'RFC 7591 software_version as registered, informational.';
COMMENT ON COLUMN mcpgate.clients.contacts IS
  'RFC 7591 contacts (e-mail addresses) as registered.';
COMMENT ON COLUMN mcpgate.clients.metadata IS
  'Full registered client metadata as returned to the client in the registration response, including defaulted values, minus client_secret (SPEC DCR-05). A JSON object.';
COMMENT ON COLUMN mcpgate.clients.registration IS
  'How the client came to exist: dynamic (RFC 7591 endpoint) or admin.';
COMMENT ON COLUMN mcpgate.clients.registered_from IS
  'IP address the dynamic registration came from (rate limiting, forensics); NULL for admin clients.';
COMMENT ON COLUMN mcpgate.clients.created_at IS
  'When the client was registered (client_id_issued_at).';
COMMENT ON COLUMN mcpgate.clients.last_used_at IS
  'Last successful authorization or token request by this client, to the minute (the token endpoint updates it at most once a minute); lets an admin purge abandoned dynamic clients.';
COMMENT ON COLUMN mcpgate.clients.disabled_at IS
  'When an admin disabled the client; a disabled client can neither authorize nor use the token endpoint.';

-- ---------------------------------------------------------------------------
-- Users (resource owners who log in on the authorize page)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.users (
  user_id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username                text NOT NULL
    CHECK (char_length(username) BETWEEN 1 AND 255 AND username !~ '[[:cntrl:]]'),
  password_hash           text CHECK (password_hash LIKE '$argon2id$%'),
  display_name            text,
  set_password_hash       bytea CHECK (octet_length(set_password_hash) = 32),
  set_password_expires_at timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  disabled_at             timestamptz,
  CONSTRAINT users_set_password_pair
    CHECK ((set_password_hash IS NULL) = (set_password_expires_at IS NULL))
);
-- Usernames are unique case-insensitively; look users up with
-- WHERE lower(username) = lower($1) so this index is used.
CREATE UNIQUE INDEX users_username_lower_key ON mcpgate.users (lower(username));
COMMENT ON TABLE mcpgate.users IS
  'People who can log in on the authorization page and grant clients access. Passwords are argon2id.';
COMMENT ON COLUMN mcpgate.users.user_id IS
  'Internal user id (identity).';
COMMENT ON COLUMN mcpgate.users.username IS
  'Login name, unique case-insensitively (unique index on lower(username)).';
COMMENT ON COLUMN mcpgate.users.password_hash IS
  'argon2id hash string from libsodium crypto_pwhash_str ($argon2id$...); NULL until the user sets a password, and then login is impossible.';
COMMENT ON COLUMN mcpgate.users.display_name IS
  'Name shown on pages; optional.';
COMMENT ON COLUMN mcpgate.users.set_password_hash IS
  'SHA-256 (32 raw bytes) of the one-time set-password link token; cleared when used.';
COMMENT ON COLUMN mcpgate.users.set_password_expires_at IS
  'When the set-password link stops working; present exactly when set_password_hash is.';
COMMENT ON COLUMN mcpgate.users.created_at IS
  'When the user was created.';
COMMENT ON COLUMN mcpgate.users.disabled_at IS
  'When the user was disabled; a disabled user cannot log in and their tokens must be refused.';

-- ---------------------------------------------------------------------------
-- Login sessions of the HTML pages (cookie), including pre-login CSRF sessions
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.login_sessions (
  session_hash bytea PRIMARY KEY CHECK (octet_length(session_hash) = 32),
  -- Deleting a user logs them out everywhere.
  user_id      bigint REFERENCES mcpgate.users ON DELETE CASCADE,
  csrf_hash    bytea NOT NULL CHECK (octet_length(csrf_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  remote_addr  inet,
  user_agent   text
);
CREATE INDEX login_sessions_expires_at_idx ON mcpgate.login_sessions (expires_at);
CREATE INDEX login_sessions_user_id_idx ON mcpgate.login_sessions (user_id) WHERE user_id IS NOT NULL;
COMMENT ON TABLE mcpgate.login_sessions IS
  'Server-side sessions of the login and consent pages, keyed by the SHA-256 of the cookie value. A row with no user is a pre-login session that only carries the CSRF token of the login form (SPEC S-04).';
COMMENT ON COLUMN mcpgate.login_sessions.session_hash IS
  'SHA-256 (32 raw bytes) of the session cookie value (a 256-bit random value).';
COMMENT ON COLUMN mcpgate.login_sessions.user_id IS
  'Logged-in user; NULL for a pre-login session. Deleting the user deletes the session.';
COMMENT ON COLUMN mcpgate.login_sessions.csrf_hash IS
  'SHA-256 (32 raw bytes) of the anti-CSRF token bound to this session, checked on every form POST (SPEC S-04).';
COMMENT ON COLUMN mcpgate.login_sessions.created_at IS
  'When the session was created.';
COMMENT ON COLUMN mcpgate.login_sessions.last_seen_at IS
  'Last request seen with this session (idle timeout).';
COMMENT ON COLUMN mcpgate.login_sessions.expires_at IS
  'Absolute end of the session, whatever the activity; purge_expired() deletes the row after it.';
COMMENT ON COLUMN mcpgate.login_sessions.remote_addr IS
  'Client IP address when the session was created.';
COMMENT ON COLUMN mcpgate.login_sessions.user_agent IS
  'User-Agent header when the session was created (shown to the user, forensics).';

-- ---------------------------------------------------------------------------
-- Consents: what a user has granted a client (SPEC S-06)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.consents (
  consent_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- A consent is meaningless without its user or client: cascade.
  user_id      bigint NOT NULL REFERENCES mcpgate.users ON DELETE CASCADE,
  client_id    text NOT NULL REFERENCES mcpgate.clients ON DELETE CASCADE,
  redirect_uri text,
  resource     text,
  scope        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
-- One live consent per (user, client, redirect URI, resource). NULLS NOT
-- DISTINCT (PostgreSQL 15) makes a NULL redirect_uri or resource count as one
-- value, so upserts work: ON CONFLICT (user_id, client_id, redirect_uri,
-- resource) WHERE revoked_at IS NULL DO UPDATE ...
CREATE UNIQUE INDEX consents_live_key ON mcpgate.consents (user_id, client_id, redirect_uri, resource)
  NULLS NOT DISTINCT WHERE revoked_at IS NULL;
CREATE INDEX consents_client_id_idx ON mcpgate.consents (client_id);
COMMENT ON TABLE mcpgate.consents IS
  'Consent a user gave a client, per redirect URI and resource, with the scopes granted (SPEC S-06). Revoked rows are kept for history; at most one non-revoked row per (user_id, client_id, redirect_uri, resource).';
COMMENT ON COLUMN mcpgate.consents.consent_id IS
  'Surrogate key (identity).';
COMMENT ON COLUMN mcpgate.consents.user_id IS
  'User who consented; deleting the user deletes the consent.';
COMMENT ON COLUMN mcpgate.consents.client_id IS
  'Client the consent was given to; deleting the client deletes the consent.';
COMMENT ON COLUMN mcpgate.consents.redirect_uri IS
  'Redirect URI the consent was given for (the page showed its host, SPEC CM-08); NULL = not bound to one.';
COMMENT ON COLUMN mcpgate.consents.resource IS
  'RFC 8707 resource (the canonical MCP URL) the consent covers; NULL = not bound to one.';
COMMENT ON COLUMN mcpgate.consents.scope IS
  'Space-separated scopes granted; a request for more shows the consent page again.';
COMMENT ON COLUMN mcpgate.consents.created_at IS
  'When the user consented.';
COMMENT ON COLUMN mcpgate.consents.last_used_at IS
  'Last authorization that relied on this consent.';
COMMENT ON COLUMN mcpgate.consents.revoked_at IS
  'When the user or an admin withdrew the consent; the row then no longer counts.';

-- ---------------------------------------------------------------------------
-- Token families: one per authorization grant (code and all its refreshes)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.token_families (
  family_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Deleting the client or the user deletes the grant and, through tokens'
  -- foreign key, every token of it.
  client_id     text NOT NULL REFERENCES mcpgate.clients ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES mcpgate.users ON DELETE CASCADE,
  scope         text NOT NULL,
  resource      text NOT NULL,
  -- No foreign key: codes are purged a day after expiry, families live on.
  -- UNIQUE: one code can produce one family only, even if two redemptions race
  -- (OAuth 2.1 section 4.1.3, SPEC TK-08).
  code_hash     bytea UNIQUE CHECK (octet_length(code_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  revoke_reason text,
  CONSTRAINT token_families_reason_needs_revocation
    CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL),
  -- Target of tokens' composite foreign key, which keeps each token's client
  -- and user equal to its family's.
  CONSTRAINT token_families_family_client_user_key UNIQUE (family_id, client_id, user_id)
);
CREATE INDEX token_families_client_id_idx ON mcpgate.token_families (client_id);
CREATE INDEX token_families_user_id_idx ON mcpgate.token_families (user_id);
COMMENT ON TABLE mcpgate.token_families IS
  'One row per authorization grant: every token issued from one authorization code and all its refreshes share it. Revoking the family revokes the whole grant (refresh token reuse, code replay, user revocation; SPEC RT-03, TK-08, RV-01).';
COMMENT ON COLUMN mcpgate.token_families.family_id IS
  'Grant id (random UUID).';
COMMENT ON COLUMN mcpgate.token_families.client_id IS
  'Client the grant was issued to; deleting the client deletes the family and its tokens.';
COMMENT ON COLUMN mcpgate.token_families.user_id IS
  'User who granted it; deleting the user deletes the family and its tokens.';
COMMENT ON COLUMN mcpgate.token_families.scope IS
  'Space-separated scopes granted by the code; refreshes may narrow but never widen it (SPEC RT-02).';
COMMENT ON COLUMN mcpgate.token_families.resource IS
  'RFC 8707 resource (audience) of the grant, the canonical MCP URL (SPEC TK-10).';
COMMENT ON COLUMN mcpgate.token_families.code_hash IS
  'SHA-256 of the authorization code the family came from (unique); no foreign key because codes are purged earlier.';
COMMENT ON COLUMN mcpgate.token_families.created_at IS
  'When the code was redeemed.';
COMMENT ON COLUMN mcpgate.token_families.revoked_at IS
  'When the whole grant was revoked; every token of a revoked family is refused.';
COMMENT ON COLUMN mcpgate.token_families.revoke_reason IS
  'Why it was revoked (e.g. refresh_reuse, code_replay, revoked_by_client, revoked_by_user, admin); only with revoked_at.';

-- ---------------------------------------------------------------------------
-- Authorization codes (OAuth 2.1 section 4.1, SPEC AZ-13, TK-06, TK-08)
-- ---------------------------------------------------------------------------

-- A revoked family revokes its tokens, whoever revokes it (the grant
-- functions, the admin scripts, a hand-written UPDATE): the MCP endpoint
-- then checks a token with one index lookup and no join.
CREATE FUNCTION mcpgate.token_families_revoke_tokens()
  RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE mcpgate.tokens SET revoked_at = NEW.revoked_at
   WHERE family_id = NEW.family_id AND revoked_at IS NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mcpgate.token_families_revoke_tokens() IS
  'Trigger: when a token family is revoked, every token of it is revoked at the same time.';
CREATE TRIGGER token_families_revoke_tokens AFTER UPDATE OF revoked_at ON mcpgate.token_families
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION mcpgate.token_families_revoke_tokens();

CREATE TABLE mcpgate.authorization_codes (
  code_hash             bytea PRIMARY KEY CHECK (octet_length(code_hash) = 32),
  client_id             text NOT NULL REFERENCES mcpgate.clients ON DELETE CASCADE,
  user_id               bigint NOT NULL REFERENCES mcpgate.users ON DELETE CASCADE,
  redirect_uri          text NOT NULL,
  -- 43 to 128 unreserved characters (RFC 7636 section 4.2; SPEC AZ-08).
  code_challenge        text NOT NULL CHECK (code_challenge ~ '^[A-Za-z0-9._~-]{43,128}$'),
  -- S256 only: plain is refused (SPEC AZ-08, S-10).
  code_challenge_method text NOT NULL DEFAULT 'S256' CHECK (code_challenge_method = 'S256'),
  scope                 text NOT NULL,
  resource              text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  expires_at            timestamptz NOT NULL,
  consumed_at           timestamptz,
  consumed_by_ip        inet,
  -- SET NULL, not CASCADE: if the family goes, the code row still proves the
  -- code was consumed, so a replay is still refused.
  family_id             uuid REFERENCES mcpgate.token_families ON DELETE SET NULL,
  CONSTRAINT authorization_codes_expiry_after_creation CHECK (expires_at > created_at),
  CONSTRAINT authorization_codes_family_needs_consumption
    CHECK (family_id IS NULL OR consumed_at IS NOT NULL)
);
COMMENT ON TABLE mcpgate.authorization_codes IS
  'Authorization codes, stored as SHA-256, short-lived (10 minutes at most, SPEC AZ-13) and single-use: redeeming sets consumed_at in one statement; a second valid redemption is refused and revokes the family it produced (SPEC TK-08). Purged a day after expiry.';
COMMENT ON COLUMN mcpgate.authorization_codes.code_hash IS
  'SHA-256 (32 raw bytes) of the authorization code.';
COMMENT ON COLUMN mcpgate.authorization_codes.client_id IS
  'Client the code was issued to; the token request must come from it.';
COMMENT ON COLUMN mcpgate.authorization_codes.user_id IS
  'User who authorized.';
COMMENT ON COLUMN mcpgate.authorization_codes.redirect_uri IS
  'redirect_uri the code was sent to; if the token request carries redirect_uri it must be equal (SPEC TK-09).';
COMMENT ON COLUMN mcpgate.authorization_codes.code_challenge IS
  'PKCE code_challenge from the authorization request; never revealed outside the AS (SPEC AZ-13).';
COMMENT ON COLUMN mcpgate.authorization_codes.code_challenge_method IS
  'PKCE method; always S256.';
COMMENT ON COLUMN mcpgate.authorization_codes.scope IS
  'Space-separated scopes granted with this code.';
COMMENT ON COLUMN mcpgate.authorization_codes.resource IS
  'RFC 8707 resource the code was issued for (the canonical MCP URL).';
COMMENT ON COLUMN mcpgate.authorization_codes.created_at IS
  'When the code was issued.';
COMMENT ON COLUMN mcpgate.authorization_codes.expires_at IS
  'When the code stops being redeemable.';
COMMENT ON COLUMN mcpgate.authorization_codes.consumed_at IS
  'When the code was redeemed; NULL while unused. Set once, atomically (UPDATE ... WHERE consumed_at IS NULL).';
COMMENT ON COLUMN mcpgate.authorization_codes.consumed_by_ip IS
  'IP address of the request that redeemed the code.';
COMMENT ON COLUMN mcpgate.authorization_codes.family_id IS
  'Token family the redemption created, so a replay can revoke what the code produced (SPEC TK-08); NULL until redeemed or if the family was deleted.';

-- ---------------------------------------------------------------------------
-- Access and refresh tokens (opaque; looked up by hash)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.tokens (
  token_hash     bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  kind           text NOT NULL CHECK (kind IN ('access', 'refresh')),
  family_id      uuid NOT NULL,
  client_id      text NOT NULL,
  user_id        bigint NOT NULL,
  scope          text NOT NULL,
  resource       text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  last_used_at   timestamptz,
  revoked_at     timestamptz,
  rotated_at     timestamptz,
  -- No foreign key to tokens: the successor is inserted in the same
  -- statement or transaction, and purging must not chase chains.
  successor_hash bytea CHECK (octet_length(successor_hash) = 32),
  replay_box     bytea,
  replay_until   timestamptz,
  -- One foreign key does both jobs: the family exists (deleting it deletes its
  -- tokens, and so does deleting its client or user), and client_id/user_id
  -- are the family's, not a copy that could drift.
  CONSTRAINT tokens_family_fkey FOREIGN KEY (family_id, client_id, user_id)
    REFERENCES mcpgate.token_families (family_id, client_id, user_id) ON DELETE CASCADE,
  CONSTRAINT tokens_expiry_after_creation CHECK (expires_at > created_at),
  -- Rotation and the replay copy exist only for refresh tokens.
  CONSTRAINT tokens_rotation_only_for_refresh CHECK (
    kind = 'refresh'
    OR (rotated_at IS NULL AND successor_hash IS NULL AND replay_box IS NULL AND replay_until IS NULL)),
  CONSTRAINT tokens_successor_needs_rotation CHECK (successor_hash IS NULL OR rotated_at IS NOT NULL),
  CONSTRAINT tokens_replay_pair CHECK ((replay_box IS NULL) = (replay_until IS NULL)),
  CONSTRAINT tokens_replay_needs_rotation CHECK (replay_box IS NULL OR rotated_at IS NOT NULL)
)
-- Room in each page for the new version of a row that a refresh rotates
-- (rotated_at, successor_hash, replay_box): no indexed column changes, so
-- PostgreSQL can then update it in place (a HOT update) instead of adding
-- an entry to all three indexes; measured: 79 % of rotations HOT, about 9 %
-- more refreshes per second (bench/, 2026-11-26).
WITH (fillfactor = 80);
CREATE INDEX tokens_family_id_idx ON mcpgate.tokens (family_id);
CREATE INDEX tokens_expires_at_idx ON mcpgate.tokens (expires_at);

-- The MCP programs may keep a token they checked in memory (the
-- configuration's token_cache_seconds, src/lib/authcache.c) and use it
-- without asking again for as long as their connection, which LISTENs on
-- mcpgate_auth, has received nothing: so every change that could make a
-- checked access token invalid notifies that channel, at commit.  Access
-- tokens are never updated in normal use (a refresh updates the refresh
-- token's row, which does not notify), only revoked (RV-01, RT-03, TK-08,
-- the admin scripts) or changed by hand; deletions (purge, a deleted
-- user, client or grant) and TRUNCATE notify once per statement.  The
-- payload is empty: a notification empties the whole cache, and PostgreSQL
-- sends one per transaction however many rows changed.
CREATE FUNCTION mcpgate.notify_auth()
  RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pg_notify('mcpgate_auth', '');
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mcpgate.notify_auth() IS
  'Trigger: tells the MCP programs (LISTEN mcpgate_auth) that a token they may have cached could have changed; they then check every token with PostgreSQL again.';
CREATE TRIGGER tokens_notify_auth_update AFTER UPDATE ON mcpgate.tokens
  FOR EACH ROW WHEN (OLD.kind = 'access' OR NEW.kind = 'access')
  EXECUTE FUNCTION mcpgate.notify_auth();
CREATE TRIGGER tokens_notify_auth_delete AFTER DELETE OR TRUNCATE ON mcpgate.tokens
  FOR EACH STATEMENT EXECUTE FUNCTION mcpgate.notify_auth();
COMMENT ON TABLE mcpgate.tokens IS
  'Access and refresh tokens, stored only as SHA-256 (DESIGN section 3). Refresh tokens rotate: exchanging one sets rotated_at and successor_hash; presenting a rotated one after its grace window revokes the family (SPEC RT-03, RT-06). Purged a day after expiry.';
COMMENT ON COLUMN mcpgate.tokens.token_hash IS
  'SHA-256 (32 raw bytes) of the token (a 256-bit random value).';
COMMENT ON COLUMN mcpgate.tokens.kind IS
  'access (bearer token for /mcp) or refresh (only for the token endpoint).';
COMMENT ON COLUMN mcpgate.tokens.family_id IS
  'Grant the token belongs to; deleting or revoking the family covers every token in it.';
COMMENT ON COLUMN mcpgate.tokens.client_id IS
  'Client the token was issued to; always equal to the family''s (composite foreign key).';
COMMENT ON COLUMN mcpgate.tokens.user_id IS
  'User the token acts for; always equal to the family''s (composite foreign key).';
COMMENT ON COLUMN mcpgate.tokens.scope IS
  'Space-separated scopes of this token (a subset of the family''s).';
COMMENT ON COLUMN mcpgate.tokens.resource IS
  'Audience: the RFC 8707 resource the token is valid for; /mcp refuses tokens whose resource is not its canonical URL (SPEC TV-03).';
COMMENT ON COLUMN mcpgate.tokens.created_at IS
  'When the token was issued.';
COMMENT ON COLUMN mcpgate.tokens.expires_at IS
  'When the token stops being valid. Keep it unchanged on rotation: a rotated refresh token row must outlive its grace window so reuse is detected until it would have expired anyway.';
COMMENT ON COLUMN mcpgate.tokens.last_used_at IS
  'Last time the token was accepted (refresh inactivity expiry, SPEC RT-04; display).';
COMMENT ON COLUMN mcpgate.tokens.revoked_at IS
  'When this token alone was revoked (RFC 7009); family revocation is in token_families.revoked_at.';
COMMENT ON COLUMN mcpgate.tokens.rotated_at IS
  'Refresh tokens: when it was exchanged for a new pair. After rotated_at it only works inside the grace window (replay_until), and only to get the same pair again.';
COMMENT ON COLUMN mcpgate.tokens.successor_hash IS
  'Refresh tokens: SHA-256 of the refresh token that replaced this one at rotation.';
COMMENT ON COLUMN mcpgate.tokens.replay_box IS
  'Refresh tokens: the new token pair issued at rotation, encrypted (libsodium secretbox) under a key derived from this refresh token, so a concurrent refresh with the same token gets the same answer without plaintext at rest (DESIGN section 3, SPEC RT-06). Cleared or ignored after replay_until.';
COMMENT ON COLUMN mcpgate.tokens.replay_until IS
  'Refresh tokens: end of the grace window in which replay_box may be returned; after it, reuse revokes the family.';

-- ---------------------------------------------------------------------------
-- Documents: the knowledge base behind the search and fetch tools
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.documents (
  -- URI-unreserved characters only, so the id goes into resource URIs and
  -- links without escaping (SPEC F-15).
  doc_id     text PRIMARY KEY CHECK (doc_id ~ '^[A-Za-z0-9._~-]{1,200}$'),
  -- RESTRICT: deleting a user who owns private documents fails until an admin
  -- deletes or reassigns them. Never SET NULL: that would publish them.
  owner_id   bigint REFERENCES mcpgate.users ON DELETE RESTRICT,
  title      text NOT NULL,
  url        text,
  body       text NOT NULL,
  metadata   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  -- A configuration name, not a regconfig (see the header: pg_upgrade).
  -- Validated on every write by the tsv expression below.
  language   text NOT NULL DEFAULT 'english',
  -- Title weighs more than body. to_tsvector fails on a body whose tsvector
  -- would exceed 1 MB, which bounds document size.
  tsv        tsvector GENERATED ALWAYS AS (
               setweight(to_tsvector(mcpgate.ts_config(language), coalesce(title, '')), 'A')
               || setweight(to_tsvector(mcpgate.ts_config(language), body), 'B')) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- MAIN keeps tsv in the heap row, compressed if need be, and moves body
-- (EXTENDED) to TOAST first: ranking reads tsv for every match, and a TOASTed
-- tsv costs an index lookup and a copy per match. Measured on 10 000
-- documents: 1.5-2x more searches per second (bench/results/). PostgreSQL
-- still moves tsv out of line when the row cannot fit in a page otherwise.
ALTER TABLE mcpgate.documents ALTER COLUMN tsv SET STORAGE MAIN;
CREATE INDEX documents_tsv_idx ON mcpgate.documents USING gin (tsv);
CREATE INDEX documents_owner_id_idx ON mcpgate.documents (owner_id) WHERE owner_id IS NOT NULL;
CREATE TRIGGER documents_touch_updated_at BEFORE UPDATE ON mcpgate.documents
  FOR EACH ROW EXECUTE FUNCTION mcpgate.touch_updated_at();
COMMENT ON TABLE mcpgate.documents IS
  'Knowledge-base documents served by the search and fetch tools and as MCP resources, full-text indexed (GIN on tsv). Public when owner_id is NULL, otherwise visible only to the owner.';
COMMENT ON COLUMN mcpgate.documents.doc_id IS
  'Stable id returned by search and passed to fetch (SPEC OA-02, OA-03); URI-unreserved characters, 1 to 200.';
COMMENT ON COLUMN mcpgate.documents.owner_id IS
  'User who alone may see the document; NULL = public. A user owning documents cannot be deleted (RESTRICT).';
COMMENT ON COLUMN mcpgate.documents.title IS
  'Title, returned by search and fetch; weight A in tsv.';
COMMENT ON COLUMN mcpgate.documents.url IS
  'Canonical citation URL returned by search and fetch (SPEC OA-02); optional.';
COMMENT ON COLUMN mcpgate.documents.body IS
  'Full text returned by fetch (plain text or Markdown); weight B in tsv.';
COMMENT ON COLUMN mcpgate.documents.metadata IS
  'Extra attributes returned by fetch, a JSON object; ChatGPT expects string values (SPEC OA-04).';
COMMENT ON COLUMN mcpgate.documents.language IS
  'Text search configuration name used to index the document (english, simple, german, or a schema-qualified custom one). Text rather than regconfig so pg_upgrade works; an unknown name makes the INSERT or UPDATE fail.';
COMMENT ON COLUMN mcpgate.documents.tsv IS
  'Generated: title (weight A) and body (weight B) as a tsvector in the document''s language. Query with @@ websearch_to_tsquery(config, query).';
COMMENT ON COLUMN mcpgate.documents.created_at IS
  'When the document was added.';
COMMENT ON COLUMN mcpgate.documents.updated_at IS
  'Last change; set by trigger on UPDATE (resources'' lastModified).';

-- ---------------------------------------------------------------------------
-- Tools: MCP tools implemented as SQL functions (DESIGN section 4)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.tools (
  -- MCP tool name rules (SPEC F-06; the Claude directory wants 64 at most).
  name           text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,128}$'),
  title          text,
  description    text NOT NULL,
  -- MCP requires an object schema for inputs and outputs (SPEC F-05).
  input_schema   jsonb NOT NULL DEFAULT '{"type":"object"}'
    CHECK (jsonb_typeof(input_schema) = 'object' AND input_schema->>'type' = 'object'),
  output_schema  jsonb
    CHECK (output_schema IS NULL
           OR (jsonb_typeof(output_schema) = 'object' AND output_schema->>'type' = 'object')),
  annotations    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(annotations) = 'object'),
  required_scope text,
  -- Text, not regprocedure (see the header: pg_upgrade). The trigger below
  -- checks the signature and stores the canonical, schema-qualified form.
  function       text NOT NULL,
  enabled        boolean NOT NULL DEFAULT true,
  position       int NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Resolves tools.function with the caller's search_path, checks the tool
-- calling convention (args jsonb, ctx jsonb) RETURNS jsonb, and rewrites it as
-- schema.name(jsonb,jsonb) so the stored value never depends on a search_path.
-- Not fired by pg_dump restores (triggers are created after the data).
CREATE FUNCTION mcpgate.tools_check_function()
  RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  v_oid regprocedure := pg_catalog.to_regprocedure(NEW.function);
  v_fn  record;
BEGIN
  IF v_oid IS NULL THEN
    RAISE EXCEPTION 'tool %: function % does not exist', NEW.name, NEW.function
      USING ERRCODE = 'undefined_function',
            HINT = 'Give the signature, e.g. myschema.my_tool(jsonb, jsonb).';
  END IF;
  -- proargtypes is an oidvector: indexed from 0.
  SELECT p.prokind, p.proretset, p.prorettype, p.pronargs,
         p.proargtypes[0] AS arg0, p.proargtypes[1] AS arg1, p.proname, n.nspname
    INTO v_fn
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE p.oid = v_oid;
  IF v_fn.prokind <> 'f' OR v_fn.proretset OR v_fn.pronargs <> 2
     OR v_fn.prorettype <> 'pg_catalog.jsonb'::pg_catalog.regtype
     OR v_fn.arg0 <> 'pg_catalog.jsonb'::pg_catalog.regtype
     OR v_fn.arg1 <> 'pg_catalog.jsonb'::pg_catalog.regtype THEN
    RAISE EXCEPTION 'tool %: function % must be a plain function (args jsonb, ctx jsonb) RETURNS jsonb',
      NEW.name, v_oid
      USING ERRCODE = 'invalid_function_definition';
  END IF;
  NEW.function := pg_catalog.format('%I.%I(jsonb,jsonb)', v_fn.nspname, v_fn.proname);
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION mcpgate.tools_check_function() IS
  'BEFORE INSERT/UPDATE trigger on mcpgate.tools: function must exist and be (jsonb, jsonb) RETURNS jsonb; stores it as schema.name(jsonb,jsonb).';

CREATE TRIGGER tools_check_function BEFORE INSERT OR UPDATE OF function ON mcpgate.tools
  FOR EACH ROW EXECUTE FUNCTION mcpgate.tools_check_function();
CREATE TRIGGER tools_touch_updated_at BEFORE UPDATE ON mcpgate.tools
  FOR EACH ROW EXECUTE FUNCTION mcpgate.touch_updated_at();

-- The MCP programs keep the tool list in memory and ask only this number
-- with each token check: any change to the tools table bumps it, and the
-- next request reloads the list (one round trip per request, not two).
CREATE TABLE mcpgate.tools_generation (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  gen  bigint NOT NULL DEFAULT 1
);
COMMENT ON TABLE mcpgate.tools_generation IS
  'One row: a number that changes whenever mcpgate.tools changes, so that the MCP programs know when to reload their cached tool list.';
COMMENT ON COLUMN mcpgate.tools_generation.one IS 'Always true: the table has exactly one row.';
COMMENT ON COLUMN mcpgate.tools_generation.gen IS 'Bumped by a statement trigger on mcpgate.tools.';
INSERT INTO mcpgate.tools_generation DEFAULT VALUES;

CREATE FUNCTION mcpgate.tools_bump_generation()
  RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE mcpgate.tools_generation SET gen = gen + 1;
  -- the MCP programs' cached token checks carry the generation too
  -- (mcpgate.notify_auth)
  PERFORM pg_notify('mcpgate_auth', '');
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mcpgate.tools_bump_generation() IS
  'Statement trigger: any change to mcpgate.tools bumps mcpgate.tools_generation and notifies mcpgate_auth.';
CREATE TRIGGER tools_bump_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mcpgate.tools
  FOR EACH STATEMENT EXECUTE FUNCTION mcpgate.tools_bump_generation();
COMMENT ON TABLE mcpgate.tools IS
  'MCP tools as data: each row names a SQL function (args jsonb, ctx jsonb) RETURNS jsonb that implements the tool. tools/list shows enabled rows ordered by position, name.';
COMMENT ON COLUMN mcpgate.tools.name IS
  'Tool name as listed and called (1 to 128 of A-Z a-z 0-9 _ . -; SPEC F-06).';
COMMENT ON COLUMN mcpgate.tools.title IS
  'Human-readable title (MCP Tool.title); the Claude directory requires one (SPEC F-07).';
COMMENT ON COLUMN mcpgate.tools.description IS
  'Description shown to the model (MCP Tool.description).';
COMMENT ON COLUMN mcpgate.tools.input_schema IS
  'JSON Schema of the arguments (MCP Tool.inputSchema), an object schema.';
COMMENT ON COLUMN mcpgate.tools.output_schema IS
  'JSON Schema of structuredContent (MCP Tool.outputSchema), an object schema; if set, results must carry conforming structuredContent (SPEC F-09).';
COMMENT ON COLUMN mcpgate.tools.annotations IS
  'MCP ToolAnnotations object (readOnlyHint, destructiveHint, idempotentHint, openWorldHint, title; SPEC F-07).';
COMMENT ON COLUMN mcpgate.tools.required_scope IS
  'Scope the access token must carry to list and call the tool (403 insufficient_scope otherwise, SPEC RS-05); NULL = any valid token.';
COMMENT ON COLUMN mcpgate.tools.function IS
  'SQL function implementing the tool, stored as schema.name(jsonb,jsonb) with identifiers quoted as needed (canonicalised by trigger). Called as fn(args, ctx), returning the tool result as jsonb; the callable name is the value without its fixed 13-character suffix (jsonb,jsonb), i.e. left(function, -13). Text, not regprocedure, so pg_upgrade works.';
COMMENT ON COLUMN mcpgate.tools.enabled IS
  'Whether the tool is listed and callable.';
COMMENT ON COLUMN mcpgate.tools.position IS
  'Sort key of tools/list (then name).';
COMMENT ON COLUMN mcpgate.tools.created_at IS
  'When the tool was added.';
COMMENT ON COLUMN mcpgate.tools.updated_at IS
  'Last change; set by trigger on UPDATE.';

-- ---------------------------------------------------------------------------
-- Prompts (MCP prompts/list, prompts/get)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.prompts (
  name        text PRIMARY KEY CHECK (name <> ''),
  title       text,
  description text,
  arguments   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(arguments) = 'array'),
  messages    jsonb NOT NULL CHECK (jsonb_typeof(messages) = 'array'),
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER prompts_touch_updated_at BEFORE UPDATE ON mcpgate.prompts
  FOR EACH ROW EXECUTE FUNCTION mcpgate.touch_updated_at();
COMMENT ON TABLE mcpgate.prompts IS
  'MCP prompts as data: prompts/list shows enabled rows, prompts/get fills messages from the arguments.';
COMMENT ON COLUMN mcpgate.prompts.name IS
  'Prompt name as listed and requested.';
COMMENT ON COLUMN mcpgate.prompts.title IS
  'Human-readable title (MCP Prompt.title).';
COMMENT ON COLUMN mcpgate.prompts.description IS
  'Description (MCP Prompt.description).';
COMMENT ON COLUMN mcpgate.prompts.arguments IS
  'MCP PromptArgument array: [{"name","description","required"}, ...].';
COMMENT ON COLUMN mcpgate.prompts.messages IS
  'Message template array: MCP PromptMessage objects ({"role","content"}) whose text may contain {{argument}} placeholders.';
COMMENT ON COLUMN mcpgate.prompts.enabled IS
  'Whether the prompt is listed and served.';
COMMENT ON COLUMN mcpgate.prompts.created_at IS
  'When the prompt was added.';
COMMENT ON COLUMN mcpgate.prompts.updated_at IS
  'Last change; set by trigger on UPDATE.';

-- ---------------------------------------------------------------------------
-- Audit log
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  event       text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_]{0,63}$'),
  -- Plain values, no foreign keys: the log must outlive deleted users and
  -- clients, and must not slow their deletion.
  user_id     bigint,
  client_id   text,
  remote_addr inet,
  detail      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX audit_log_at_idx ON mcpgate.audit_log (at);
COMMENT ON TABLE mcpgate.audit_log IS
  'Security events, append-only. Must never hold a secret: no password, token, code, client secret, cookie or PKCE verifier, not even truncated (SPEC S-24). Not purged automatically; retention is the operator''s choice.';
COMMENT ON COLUMN mcpgate.audit_log.id IS
  'Sequence number (identity).';
COMMENT ON COLUMN mcpgate.audit_log.at IS
  'When the event happened.';
COMMENT ON COLUMN mcpgate.audit_log.event IS
  'Event name, lower-case snake_case: login_ok, login_failed, logout, consent, consent_revoked, register, token_issue, refresh, reuse_detected, code_replay, revoke, rate_limited, ...';
COMMENT ON COLUMN mcpgate.audit_log.user_id IS
  'User concerned, if any (no foreign key: survives user deletion).';
COMMENT ON COLUMN mcpgate.audit_log.client_id IS
  'Client concerned, if any (no foreign key: survives client deletion).';
COMMENT ON COLUMN mcpgate.audit_log.remote_addr IS
  'IP address of the request.';
COMMENT ON COLUMN mcpgate.audit_log.detail IS
  'Event details as a JSON object (e.g. scope, family_id, reason, username tried). NEVER a secret or a hash of one.';

-- ---------------------------------------------------------------------------
-- Rate limits: fixed-window counters (SPEC S-18, TK-05, DCR-08)
-- ---------------------------------------------------------------------------

CREATE TABLE mcpgate.rate_limits (
  bucket       text NOT NULL CHECK (bucket <> ''),
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  hits         int NOT NULL CHECK (hits > 0),
  PRIMARY KEY (bucket, window_start),
  CONSTRAINT rate_limits_window_order CHECK (window_end > window_start)
);
COMMENT ON TABLE mcpgate.rate_limits IS
  'Fixed-window hit counters, written only by mcpgate.rate_limit_hit() and purged by mcpgate.purge_expired(). Small and short-lived.';
COMMENT ON COLUMN mcpgate.rate_limits.bucket IS
  'What is limited, e.g. login:ip:192.0.2.1, login:user:alice, register:ip:192.0.2.1. One window length per bucket name.';
COMMENT ON COLUMN mcpgate.rate_limits.window_start IS
  'Start of the fixed window (now() binned to the window length, origin 2000-01-01 UTC).';
COMMENT ON COLUMN mcpgate.rate_limits.window_end IS
  'End of the window (window_start + window length); the row can be purged after it.';
COMMENT ON COLUMN mcpgate.rate_limits.hits IS
  'Hits counted in this window so far, including refused ones.';

-- Counts one hit for p_bucket in the current fixed window of length p_window
-- and says whether it is allowed: 0 = allowed (this hit is within p_max),
-- otherwise the whole seconds until the window ends (>= 1, for Retry-After).
-- Atomic under concurrency: the count is one INSERT ... ON CONFLICT DO UPDATE,
-- which serialises on the row, so N concurrent callers see 1..N exactly once.
-- p_window must be positive and have no months or years (date_bin).
CREATE FUNCTION mcpgate.rate_limit_hit(p_bucket text, p_window interval, p_max int)
  RETURNS int
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_now   timestamptz := clock_timestamp();
  v_start timestamptz;
  v_hits  int;
BEGIN
  IF p_bucket IS NULL OR p_window IS NULL OR p_max IS NULL
     OR p_window <= interval '0' OR p_max < 0 THEN
    RAISE EXCEPTION 'rate_limit_hit(%, %, %): invalid arguments', p_bucket, p_window, p_max
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_start := date_bin(p_window, v_now, timestamptz '2000-01-01 00:00:00+00');

  INSERT INTO mcpgate.rate_limits AS r (bucket, window_start, window_end, hits)
  VALUES (p_bucket, v_start, v_start + p_window, 1)
  ON CONFLICT (bucket, window_start)
    DO UPDATE SET hits = least(r.hits, 2147483646) + 1   -- saturate, never overflow
  RETURNING r.hits INTO v_hits;

  IF v_hits <= p_max THEN
    RETURN 0;
  END IF;
  RETURN greatest(1, ceil(extract(epoch FROM (v_start + p_window) - v_now)))::int;
END
$$;
COMMENT ON FUNCTION mcpgate.rate_limit_hit(text, interval, int) IS
  'Counts one hit in the current fixed window of p_bucket; returns 0 if allowed (hits <= p_max), else seconds until the window ends (>= 1). Atomic, one statement.';

-- ---------------------------------------------------------------------------
-- Housekeeping
-- ---------------------------------------------------------------------------

-- Deletes what can no longer be used. Codes and tokens are kept one day past
-- expiry so a late replay still meets its consumed or rotated row (TK-08,
-- RT-03) and logs make sense. Families are deleted once they have no token
-- and no code left. Safe to run at any time, from cron or a request.
CREATE FUNCTION mcpgate.purge_expired()
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_rate_limits   bigint;
  v_codes         bigint;
  v_sessions      bigint;
  v_tokens        bigint;
  v_families      bigint;
BEGIN
  DELETE FROM mcpgate.rate_limits WHERE window_end <= now();
  GET DIAGNOSTICS v_rate_limits = ROW_COUNT;

  DELETE FROM mcpgate.authorization_codes WHERE expires_at < now() - interval '1 day';
  GET DIAGNOSTICS v_codes = ROW_COUNT;

  DELETE FROM mcpgate.login_sessions WHERE expires_at <= now();
  GET DIAGNOSTICS v_sessions = ROW_COUNT;

  DELETE FROM mcpgate.tokens WHERE expires_at < now() - interval '1 day';
  GET DIAGNOSTICS v_tokens = ROW_COUNT;

  -- After the tokens: a separate statement sees their deletion.
  DELETE FROM mcpgate.token_families f
   WHERE f.created_at < now() - interval '1 day'
     AND NOT EXISTS (SELECT 1 FROM mcpgate.tokens t WHERE t.family_id = f.family_id)
     AND NOT EXISTS (SELECT 1 FROM mcpgate.authorization_codes c WHERE c.family_id = f.family_id);
  GET DIAGNOSTICS v_families = ROW_COUNT;

  RETURN jsonb_build_object(
    'rate_limits',         v_rate_limits,
    'authorization_codes', v_codes,
    'login_sessions',      v_sessions,
    'tokens',              v_tokens,
    'token_families',      v_families);
END
$$;
COMMENT ON FUNCTION mcpgate.purge_expired() IS
  'Deletes ended rate-limit windows, expired login sessions, codes and tokens expired over a day ago, and token families left empty; returns the counts as a jsonb object.';

-- ---------------------------------------------------------------------------

-- ---------------------------------------------------------------------------
-- The token endpoint's state changes.  Each is one call and one
-- transaction: a code is checked and consumed, or a refresh token checked
-- and rotated, with the row locked (FOR UPDATE), so that concurrent
-- requests are serialised by PostgreSQL and there is no window between a
-- check and its change.  Secrets arrive only as SHA-256 hashes; outcomes are
-- words the C code maps to OAuth errors.

CREATE FUNCTION mcpgate.code_redeem(
    p_code_hash bytea, p_client_id text, p_challenge text, p_redirect_uri text,
    p_resource text, p_access_hash bytea, p_refresh_hash bytea,
    p_access_ttl int, p_refresh_idle int, p_refresh_absolute int,
    p_duplicate_window int, p_remote inet)
  RETURNS TABLE (outcome text, granted_scope text, granted_user bigint)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c mcpgate.authorization_codes%ROWTYPE;
  v_family uuid;
BEGIN
  SELECT * INTO c FROM mcpgate.authorization_codes a
   WHERE a.code_hash = p_code_hash FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  -- TK-06, TK-09, TK-10: the request must match the code in every binding.
  -- A request that does not is refused and changes nothing, even for a code
  -- already used (RFC 9700 §4.2.4: an invalid replay must not revoke).
  IF c.client_id <> p_client_id OR c.code_challenge <> p_challenge
     OR (p_redirect_uri IS NOT NULL AND c.redirect_uri <> p_redirect_uri)
     OR c.resource <> p_resource THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  IF c.consumed_at IS NOT NULL THEN
    IF clock_timestamp() < c.consumed_at + make_interval(secs => p_duplicate_window) THEN
      -- An immediate duplicate from the same client with the right verifier
      -- (ChatGPT sends two token requests for one code): refused, but what
      -- the first request received stays valid.
      INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
      VALUES ('code_duplicate', c.user_id, c.client_id, p_remote, '{}');
      RETURN QUERY SELECT 'duplicate'::text, NULL::text, NULL::bigint;
      RETURN;
    END IF;
    -- TK-08, OAUTH21 §4.1.3: a later valid redemption means the code leaked:
    -- revoke every token issued from it.
    UPDATE mcpgate.token_families SET revoked_at = now(),
           revoke_reason = 'authorization code redeemed twice'
     WHERE family_id = c.family_id AND revoked_at IS NULL;
    UPDATE mcpgate.tokens SET revoked_at = now()
     WHERE family_id = c.family_id AND revoked_at IS NULL;
    INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
    VALUES ('code_replay', c.user_id, c.client_id, p_remote,
            jsonb_build_object('family_id', c.family_id));
    RETURN QUERY SELECT 'replay'::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  IF c.expires_at <= now()
     OR NOT EXISTS (SELECT 1 FROM mcpgate.users u
                     WHERE u.user_id = c.user_id AND u.disabled_at IS NULL) THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;

  v_family := gen_random_uuid();
  INSERT INTO mcpgate.token_families (family_id, client_id, user_id, scope, resource, code_hash)
  VALUES (v_family, c.client_id, c.user_id, c.scope, c.resource, c.code_hash);
  UPDATE mcpgate.authorization_codes
     SET consumed_at = now(), consumed_by_ip = p_remote, family_id = v_family
   WHERE code_hash = p_code_hash;
  INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
  VALUES (p_access_hash, 'access', v_family, c.client_id, c.user_id, c.scope, c.resource,
          now() + make_interval(secs => p_access_ttl));
  -- no refresh token for a client that did not register the grant
  IF p_refresh_hash IS NOT NULL THEN
    INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
    VALUES (p_refresh_hash, 'refresh', v_family, c.client_id, c.user_id, c.scope, c.resource,
            now() + make_interval(secs => least(p_refresh_idle, p_refresh_absolute)));
  END IF;
  -- At most once a minute per client: every grant of a client would
  -- otherwise queue on its one row until each commit is on disk (a client
  -- such as a shared connector refreshes for many users at once).
  UPDATE mcpgate.clients SET last_used_at = now()
   WHERE client_id = c.client_id
     AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
  INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
  VALUES ('token_issue', c.user_id, c.client_id, p_remote,
          jsonb_build_object('family_id', v_family, 'scope', c.scope));
  RETURN QUERY SELECT 'issued'::text, c.scope, c.user_id;
END
$$;
COMMENT ON FUNCTION mcpgate.code_redeem(bytea, text, text, text, text, bytea, bytea, int, int, int, int, inet) IS
  'authorization_code grant: checks the code (by hash) against client, PKCE challenge, redirect URI and resource; consumes it and issues an access and a refresh token in a new family. Outcomes: issued, invalid, duplicate (a repeat within p_duplicate_window seconds: refused, nothing revoked), replay (a later valid repeat: the family is revoked, TK-08).';

CREATE FUNCTION mcpgate.token_refresh(
    p_hash bytea, p_client_id text, p_scope text, p_resource text,
    p_access_hash bytea, p_refresh_hash bytea, p_box bytea,
    p_access_ttl int, p_refresh_idle int, p_refresh_absolute int,
    p_grace int, p_remote inet)
  RETURNS TABLE (outcome text, granted_scope text, box bytea)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t mcpgate.tokens%ROWTYPE;
  f mcpgate.token_families%ROWTYPE;
  v_scope text;
BEGIN
  SELECT * INTO t FROM mcpgate.tokens x
   WHERE x.token_hash = p_hash AND x.kind = 'refresh' FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;
  SELECT * INTO f FROM mcpgate.token_families WHERE family_id = t.family_id;
  -- RT-02: bound to its client; a revoked family or token is dead
  IF t.client_id <> p_client_id OR t.revoked_at IS NOT NULL OR f.revoked_at IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;
  IF t.rotated_at IS NOT NULL THEN
    IF t.replay_box IS NOT NULL AND clock_timestamp() < t.replay_until THEN
      -- RT-06: a concurrent (or retried) refresh inside the grace window
      -- gets the pair the first one got, sealed under a key derived from
      -- this refresh token: only its holder can open it.
      RETURN QUERY SELECT 'replay'::text, NULL::text, t.replay_box;
      RETURN;
    END IF;
    -- RT-03: a retired refresh token presented again: the family is revoked.
    UPDATE mcpgate.token_families SET revoked_at = now(),
           revoke_reason = 'refresh token reused'
     WHERE family_id = t.family_id AND revoked_at IS NULL;
    UPDATE mcpgate.tokens SET revoked_at = now()
     WHERE family_id = t.family_id AND revoked_at IS NULL;
    INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
    VALUES ('reuse_detected', t.user_id, t.client_id, p_remote,
            jsonb_build_object('family_id', t.family_id));
    RETURN QUERY SELECT 'reuse'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;
  -- RT-04: idle expiry (expires_at) and the family's absolute lifetime
  IF t.expires_at <= now()
     OR f.created_at + make_interval(secs => p_refresh_absolute) <= now()
     OR NOT EXISTS (SELECT 1 FROM mcpgate.users u
                     WHERE u.user_id = t.user_id AND u.disabled_at IS NULL) THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;
  -- TK-10: the resource must be the family's
  IF p_resource IS NOT NULL AND p_resource <> t.resource THEN
    RETURN QUERY SELECT 'invalid_target'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;
  -- RT-02: the scope may narrow, never widen
  v_scope := coalesce(nullif(p_scope, ''), t.scope);
  IF NOT (string_to_array(v_scope, ' ') <@ string_to_array(t.scope, ' ')) THEN
    RETURN QUERY SELECT 'invalid_scope'::text, NULL::text, NULL::bytea;
    RETURN;
  END IF;

  UPDATE mcpgate.tokens
     SET rotated_at = now(), last_used_at = now(), successor_hash = p_refresh_hash,
         replay_box = CASE WHEN p_grace > 0 THEN p_box END,
         replay_until = CASE WHEN p_grace > 0 THEN clock_timestamp() + make_interval(secs => p_grace) END
   WHERE token_hash = p_hash;
  -- RT-04: the new refresh token keeps the family's scope; the access
  -- token gets the (possibly narrower) scope asked for.
  INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
  VALUES (p_access_hash, 'access', t.family_id, t.client_id, t.user_id, v_scope, t.resource,
          now() + make_interval(secs => p_access_ttl)),
         (p_refresh_hash, 'refresh', t.family_id, t.client_id, t.user_id, t.scope, t.resource,
          least(now() + make_interval(secs => p_refresh_idle),
                f.created_at + make_interval(secs => p_refresh_absolute)));
  -- at most once a minute per client, as in code_redeem
  UPDATE mcpgate.clients SET last_used_at = now()
   WHERE client_id = t.client_id
     AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
  INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
  VALUES ('refresh', t.user_id, t.client_id, p_remote,
          jsonb_build_object('family_id', t.family_id, 'scope', v_scope));
  RETURN QUERY SELECT 'rotated'::text, v_scope, NULL::bytea;
END
$$;
COMMENT ON FUNCTION mcpgate.token_refresh(bytea, text, text, text, bytea, bytea, bytea, int, int, int, int, inet) IS
  'refresh_token grant with rotation: checks the refresh token (by hash) against its client, family, expiry, resource and scope, retires it and issues a new pair. Outcomes: rotated, invalid, invalid_target, invalid_scope, replay (within the grace window: the sealed pair of the first refresh is returned), reuse (after it: the family is revoked, RT-03).';

CREATE FUNCTION mcpgate.token_revoke(p_hash bytea, p_client_id text, p_remote inet)
  RETURNS text
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t mcpgate.tokens%ROWTYPE;
BEGIN
  SELECT * INTO t FROM mcpgate.tokens WHERE token_hash = p_hash FOR UPDATE;
  -- RFC 7009 §2.2: unknown tokens, and other clients' tokens, are not an
  -- error (the answer is 200 either way) and change nothing.
  IF NOT FOUND OR t.client_id <> p_client_id THEN
    RETURN 'unknown';
  END IF;
  IF t.kind = 'refresh' THEN
    -- RV-01: revoking a refresh token ends its grant, access tokens too
    UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'revoked by the client'
     WHERE family_id = t.family_id AND revoked_at IS NULL;
    UPDATE mcpgate.tokens SET revoked_at = now()
     WHERE family_id = t.family_id AND revoked_at IS NULL;
  ELSE
    UPDATE mcpgate.tokens SET revoked_at = now()
     WHERE token_hash = p_hash AND revoked_at IS NULL;
  END IF;
  INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail)
  VALUES ('revoke', t.user_id, t.client_id, p_remote,
          jsonb_build_object('kind', t.kind, 'family_id', t.family_id, 'by', 'client'));
  RETURN t.kind;
END
$$;
COMMENT ON FUNCTION mcpgate.token_revoke(bytea, text, inet) IS
  'RFC 7009 revocation by a client: a refresh token revokes its whole family, an access token itself. Returns access, refresh, or unknown (also for another client''s token).';

-- ---------------------------------------------------------------------------
-- Resources besides the documents (which are resources mcpgate://doc/<id>):
-- fixed resources with any URI, text or binary, and URI templates whose
-- contents a SQL function produces.

CREATE TABLE mcpgate.resources (
  uri         text PRIMARY KEY CHECK (uri ~ '^[A-Za-z][A-Za-z0-9+.-]*:[^[:space:]]+$' AND uri NOT LIKE 'mcpgate://doc/%'),
  owner_id    bigint REFERENCES mcpgate.users ON DELETE CASCADE,
  name        text NOT NULL,
  title       text,
  description text,
  mime_type   text NOT NULL DEFAULT 'text/plain',
  text        text,
  blob        bytea,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT resources_text_or_blob CHECK ((text IS NULL) <> (blob IS NULL))
);
COMMENT ON TABLE mcpgate.resources IS
  'MCP resources other than the documents: resources/list and resources/read serve them to the users who may see them.';
COMMENT ON COLUMN mcpgate.resources.uri IS 'The resource URI (any scheme but mcpgate://doc/, which names documents).';
COMMENT ON COLUMN mcpgate.resources.owner_id IS 'NULL: every user sees it; else only this user (deleting the user deletes it).';
COMMENT ON COLUMN mcpgate.resources.name IS 'The resource''s name in resources/list.';
COMMENT ON COLUMN mcpgate.resources.title IS 'A human-readable title, or NULL.';
COMMENT ON COLUMN mcpgate.resources.description IS 'What it is, or NULL.';
COMMENT ON COLUMN mcpgate.resources.mime_type IS 'Its MIME type.';
COMMENT ON COLUMN mcpgate.resources.text IS 'Its contents as text; exactly one of text and blob is set.';
COMMENT ON COLUMN mcpgate.resources.blob IS 'Its contents as bytes (sent base64-encoded); exactly one of text and blob is set.';
COMMENT ON COLUMN mcpgate.resources.created_at IS 'When it was added.';
COMMENT ON COLUMN mcpgate.resources.updated_at IS 'When it last changed.';
CREATE TRIGGER resources_touch BEFORE UPDATE ON mcpgate.resources
  FOR EACH ROW EXECUTE FUNCTION mcpgate.touch_updated_at();

CREATE TABLE mcpgate.resource_templates (
  uri_template text PRIMARY KEY CHECK (uri_template ~ '\{[A-Za-z_][A-Za-z0-9_]*\}'),
  name         text NOT NULL,
  title        text,
  description  text,
  mime_type    text NOT NULL DEFAULT 'text/plain',
  function     text NOT NULL,
  position     int NOT NULL DEFAULT 0
);
COMMENT ON TABLE mcpgate.resource_templates IS
  'MCP resource templates (RFC 6570 level 1: {name} stands for one path segment): resources/templates/list lists them; resources/read of a matching URI calls the function.';
COMMENT ON COLUMN mcpgate.resource_templates.uri_template IS 'The template, e.g. myapp://item/{id}/data.';
COMMENT ON COLUMN mcpgate.resource_templates.name IS 'Its name in resources/templates/list.';
COMMENT ON COLUMN mcpgate.resource_templates.title IS 'A human-readable title, or NULL.';
COMMENT ON COLUMN mcpgate.resource_templates.description IS 'What it produces, or NULL.';
COMMENT ON COLUMN mcpgate.resource_templates.mime_type IS 'The MIME type of what it produces.';
COMMENT ON COLUMN mcpgate.resource_templates.function IS 'A function (uri text, vars jsonb, ctx jsonb) RETURNS jsonb giving {"text": …} or {"blob": base64}, or NULL for "no such resource"; written schema.name(text,jsonb,jsonb).';
COMMENT ON COLUMN mcpgate.resource_templates.position IS 'Order in resources/templates/list.';

CREATE FUNCTION mcpgate.read_resource(p_uri text, p_ctx jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_user bigint := (p_ctx->>'user_id')::bigint;
  d mcpgate.documents%ROWTYPE;
  r mcpgate.resources%ROWTYPE;
  t record;
  v_re text;
  v_names text[];
  v_vals text[];
  v_vars jsonb;
  v_fn regprocedure;
  v_out jsonb;
BEGIN
  IF p_uri LIKE 'mcpgate://doc/%' THEN
    SELECT * INTO d FROM mcpgate.documents
     WHERE doc_id = substr(p_uri, 15) AND (owner_id IS NULL OR owner_id = v_user);
    IF NOT FOUND THEN RETURN NULL; END IF;
    RETURN jsonb_build_object('uri', p_uri, 'mimeType', 'text/plain', 'text', d.body);
  END IF;
  SELECT * INTO r FROM mcpgate.resources
   WHERE uri = p_uri AND (owner_id IS NULL OR owner_id = v_user);
  IF FOUND THEN
    IF r.blob IS NOT NULL THEN
      RETURN jsonb_build_object('uri', p_uri, 'mimeType', r.mime_type,
                                'blob', translate(encode(r.blob, 'base64'), E'\n', ''));
    END IF;
    RETURN jsonb_build_object('uri', p_uri, 'mimeType', r.mime_type, 'text', r.text);
  END IF;
  FOR t IN SELECT * FROM mcpgate.resource_templates ORDER BY position, uri_template LOOP
    -- {name} matches one segment; everything else literally
    v_re := '^' || regexp_replace(regexp_replace(t.uri_template,
              '([.*+?^$()\[\]|\\])', '\\\1', 'g'), '\\?\{[A-Za-z_][A-Za-z0-9_]*\\?\}', '([^/?#]+)', 'g') || '$';
    v_vals := regexp_match(p_uri, v_re);
    IF v_vals IS NULL THEN CONTINUE; END IF;
    SELECT array_agg(m[1] ORDER BY ord) INTO v_names
      FROM regexp_matches(t.uri_template, '\{([A-Za-z_][A-Za-z0-9_]*)\}', 'g') WITH ORDINALITY AS x(m, ord);
    SELECT coalesce(jsonb_object_agg(v_names[i], v_vals[i]), '{}') INTO v_vars
      FROM generate_subscripts(v_names, 1) AS i;
    v_fn := pg_catalog.to_regprocedure(t.function);
    IF v_fn IS NULL THEN
      RAISE EXCEPTION 'resource template %: function % does not exist', t.uri_template, t.function
        USING ERRCODE = 'undefined_function';
    END IF;
    EXECUTE format('SELECT %s($1, $2, $3)', v_fn::regproc) INTO v_out USING p_uri, v_vars, p_ctx;
    IF v_out IS NULL THEN RETURN NULL; END IF;
    RETURN jsonb_build_object('uri', p_uri, 'mimeType', t.mime_type) || v_out;
  END LOOP;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mcpgate.read_resource(text, jsonb) IS
  'resources/read: a document (mcpgate://doc/<id>), a row of resources, or the output of the first matching resource template; NULL when there is none the user may see.';

-- ---------------------------------------------------------------------------
-- The MCP endpoint.  Tools are rows naming a SQL function (args jsonb,
-- ctx jsonb) RETURNS jsonb; the endpoint validates the arguments against
-- the tool's input schema, then calls it through call_tool.  ctx carries
-- {user_id, client_id, scopes, search_config, fetch_max_chars}.

CREATE FUNCTION mcpgate.call_tool(p_name text, p_args jsonb, p_ctx jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_fn regprocedure;
  v_out jsonb;
BEGIN
  SELECT pg_catalog.to_regprocedure(function) INTO v_fn
    FROM mcpgate.tools WHERE name = p_name AND enabled;
  IF v_fn IS NULL THEN
    RAISE EXCEPTION 'unknown tool' USING ERRCODE = 'undefined_function';
  END IF;
  -- the function's name comes from the catalog (regproc prints it quoted
  -- and qualified as needed), never from the request
  EXECUTE format('SELECT %s($1, $2)', v_fn::regproc) INTO v_out USING p_args, p_ctx;
  RETURN v_out;
END
$$;
COMMENT ON FUNCTION mcpgate.call_tool(text, jsonb, jsonb) IS
  'Runs the SQL function of an enabled tool with the (already validated) arguments and the caller''s context. A RAISE EXCEPTION in a tool (SQLSTATE P0001) is shown to the caller as the tool''s error message; any other error as a generic one.';

-- ChatGPT's search/fetch contract (SPEC OA-01..OA-07) over documents: a
-- user sees the public documents (owner_id NULL) and their own.

CREATE FUNCTION mcpgate.doc_url(p_doc mcpgate.documents)
  RETURNS text
  LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(p_doc.url, 'mcpgate://doc/' || p_doc.doc_id) $$;
COMMENT ON FUNCTION mcpgate.doc_url(mcpgate.documents) IS
  'The citation URL of a document: its url, else its resource URI (mcpgate://doc/<id>).';

CREATE FUNCTION mcpgate.tool_search(p_args jsonb, p_ctx jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_cfg regconfig := mcpgate.ts_config(coalesce(p_ctx->>'search_config', 'english'));
  v_q tsquery := websearch_to_tsquery(v_cfg, p_args->>'query');
  v_user bigint := (p_ctx->>'user_id')::bigint;
BEGIN
  RETURN jsonb_build_object('results', coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', d.doc_id, 'title', d.title,
                                        'url', mcpgate.doc_url(d)) ORDER BY r.rank DESC, d.doc_id)
      FROM (SELECT x.doc_id, ts_rank_cd(x.tsv, v_q) AS rank
              FROM mcpgate.documents x
             WHERE x.tsv @@ v_q AND (x.owner_id IS NULL OR x.owner_id = v_user)
             ORDER BY rank DESC, x.doc_id
             LIMIT 10) r
      JOIN mcpgate.documents d ON d.doc_id = r.doc_id), '[]'::jsonb));
END
$$;
COMMENT ON FUNCTION mcpgate.tool_search(jsonb, jsonb) IS
  'The search tool: full-text search (websearch_to_tsquery, ts_rank_cd) over the documents the user may see; {"results":[{"id","title","url"}]}, at most 10.';

CREATE FUNCTION mcpgate.tool_fetch(p_args jsonb, p_ctx jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d mcpgate.documents%ROWTYPE;
  v_max int := coalesce((p_ctx->>'fetch_max_chars')::int, 100000);
  v_text text;
  v_meta jsonb;
BEGIN
  SELECT * INTO d FROM mcpgate.documents x
   WHERE x.doc_id = p_args->>'id'
     AND (x.owner_id IS NULL OR x.owner_id = (p_ctx->>'user_id')::bigint);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no document with id "%"', left(p_args->>'id', 200);
  END IF;
  -- metadata is a string-to-string map in the contract (OA-04)
  SELECT coalesce(jsonb_object_agg(k, CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' ELSE v::text END), '{}')
    INTO v_meta FROM jsonb_each(d.metadata) AS m(k, v);
  v_text := d.body;
  IF length(v_text) > v_max THEN
    -- OA-07: keep under the clients' limits, and say so
    v_text := left(v_text, v_max) || E'\n\n[Truncated: the document has '
              || length(d.body) || ' characters; the first ' || v_max || ' are shown.]';
    v_meta := v_meta || jsonb_build_object('truncated', 'true',
                                           'length', length(d.body)::text);
  END IF;
  RETURN jsonb_build_object('id', d.doc_id, 'title', d.title, 'text', v_text,
                            'url', mcpgate.doc_url(d), 'metadata', v_meta);
END
$$;
COMMENT ON FUNCTION mcpgate.tool_fetch(jsonb, jsonb) IS
  'The fetch tool: one document the user may see, {"id","title","text","url","metadata"}, its text cut at ctx.fetch_max_chars with a note.';

-- The two tools every installation starts with (DESIGN §4).
INSERT INTO mcpgate.tools (name, title, description, input_schema, annotations, required_scope, function, position)
VALUES
  ('search', 'Search the knowledge base',
   'Search the documents of this knowledge base by keywords or a phrase. Returns the best matches with their id, title and url; pass an id to fetch to read a document.',
   '{"type":"object","properties":{"query":{"type":"string","minLength":1,"maxLength":1000,"description":"What to look for: words, \"quoted phrases\", or -excluded words."}},"required":["query"],"additionalProperties":false}',
   '{"title":"Search the knowledge base","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false}',
   'mcp:read', 'mcpgate.tool_search(jsonb,jsonb)', 10),
  ('fetch', 'Read a document',
   'Read one document of this knowledge base by the id that search returned: its title, full text, url and metadata.',
   '{"type":"object","properties":{"id":{"type":"string","minLength":1,"maxLength":200,"description":"The id of a document, as returned by search."}},"required":["id"],"additionalProperties":false}',
   '{"title":"Read a document","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false}',
   'mcp:read', 'mcpgate.tool_fetch(jsonb,jsonb)', 20);

INSERT INTO mcpgate.schema_version (version, description)
VALUES (1, 'fresh install (schema.sql)');

COMMIT;
