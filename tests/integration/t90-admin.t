#!/bin/bash
# t90-admin.t -- the administration scripts in sql/admin/, run the way an
# operator runs them (psql -X -d DB -v ... -f sql/admin/NAME.sql) on a
# real database, checking what they do to the rows: users created with a
# hash or a one-time link (whose token hashes to the stored hash and
# expires when asked), duplicates and missing or bad variables refused with
# a message and nothing changed, values with SQL metacharacters stored as
# given, redirect URIs validated, client secrets printed once and stored
# only hashed, grants revoked, users and clients disabled and enabled,
# housekeeping, the audit log written for every change and never holding a
# secret.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres
it_db t90
PSQL=$(_stack_pg_bindir)/psql
ADMIN=$IT_SQLDIR/admin
PASSWD=$top_builddir/mcpgate-passwd
[ -x "$PASSWD" ] || bail_out "$PASSWD is not built (make mcpgate-passwd)"

# admin NAME [PSQL-ARGS...] -- run sql/admin/NAME.sql; its stdout is in the
# file $OUT, its stderr in $ERR. Returns psql's exit status.
_n=0
admin() {
	local name=$1
	shift
	_n=$((_n + 1))
	OUT=$IT_DIR/admin.$_n.out ERR=$IT_DIR/admin.$_n.err
	"$PSQL" -X -d "$IT_DB" "$@" -f "$ADMIN/$name.sql" >"$OUT" 2>"$ERR"
}

# Every row of every table the scripts may touch, as one digest.
state() {
	it_psql "SELECT md5(coalesce(string_agg(r, E'\n' ORDER BY r), '')) FROM (
	    SELECT 'u ' || t::text FROM mcpgate.users t UNION ALL
	    SELECT 'c ' || t::text FROM mcpgate.clients t UNION ALL
	    SELECT 'k ' || t::text FROM mcpgate.consents t UNION ALL
	    SELECT 'f ' || t::text FROM mcpgate.token_families t UNION ALL
	    SELECT 't ' || t::text FROM mcpgate.tokens t UNION ALL
	    SELECT 'a ' || t::text FROM mcpgate.authorization_codes t UNION ALL
	    SELECT 's ' || t::text FROM mcpgate.login_sessions t UNION ALL
	    SELECT 'l ' || t::text FROM mcpgate.audit_log t) s(r)"
}

# refused NAME REGEX DESCRIPTION [PSQL-ARGS...] -- the script fails (psql
# exit 3) with a message matching REGEX on stderr, and changes nothing.
refused() {
	local name=$1 re=$2 desc=$3 before rc
	shift 3
	before=$(state)
	admin "$name" "$@"
	rc=$?
	is "$rc" 3 "$desc: refused (exit 3)"
	like "$(cat "$ERR")" "$re" "  with a clear message"
	is "$(state)" "$before" "  and nothing changed"
}

# changed NAME DESCRIPTION [PSQL-ARGS...] -- the script succeeds and writes
# exactly one audit row.
changed() {
	local name=$1 desc=$2 n0 rc
	shift 2
	n0=$(it_psql "SELECT count(*) FROM mcpgate.audit_log")
	admin "$name" "$@"
	rc=$?
	is "$rc" 0 "$desc" || diag "$(cat "$ERR")"
	is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log")" "$((n0 + 1))" "  one audit row written"
}

# The newest audit row: "event user_id client_id", and jq over its detail.
last_audit() {
	it_psql "SELECT event || ' ' || coalesce(user_id::text, '-') || ' ' || coalesce(client_id, '-')
	    FROM mcpgate.audit_log ORDER BY id DESC LIMIT 1"
}
last_detail() {
	it_psql "SELECT detail FROM mcpgate.audit_log ORDER BY id DESC LIMIT 1" | jq -r "$1"
}

# re_quote STRING -- STRING as a bash regular expression matching itself.
# shellcheck disable=SC2016 # a sed program, not a shell expression
re_quote() { printf '%s' "$1" | sed 's/[][\\.*^$(){}?+|]/\\&/g'; }
sha256hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
uid() { it_psql "SELECT user_id FROM mcpgate.users WHERE username = '$1'"; }

# Everything secret the scripts printed or were given: none may reach the
# audit log.
secrets=()

# ---- user-create.sql ------------------------------------------------------

H=$(echo 'correct horse' | "$PASSWD")
like "$H" '^[$]argon2id[$]' "mcpgate-passwd prints an argon2id hash"
secrets+=("$H")

changed user-create "user-create: alice with a password hash" -v username=alice -v password_hash="$H"
like "$(cat "$OUT")" 'created user "alice"' "  says so"
is "$(it_psql "SELECT password_hash FROM mcpgate.users WHERE username = 'alice'")" "$H" "  the hash is stored as given"
is "$(it_psql "SELECT (set_password_hash IS NULL AND set_password_expires_at IS NULL AND disabled_at IS NULL
    AND display_name IS NULL)::text FROM mcpgate.users WHERE username = 'alice'")" true "  no link, enabled, no display name"
ALICE=$(uid alice)
is "$(last_audit)" "user_create $ALICE -" "  audit: user_create with the user_id"
is "$(last_detail '.username + " " + .password')" "alice set" "  audit detail: username, password set"

refused user-create 'user "ALICE" already exists' "user-create: ALICE when alice exists (case-insensitive)" \
	-v username=ALICE -v password_hash="$H"
refused user-create 'username=NAME is required' "user-create without -v username" -v password_hash="$H"
refused user-create 'either -v password_hash.*or -v link=1' "user-create with neither a hash nor link=1" -v username=zed
refused user-create 'either -v password_hash.*or -v link=1' "user-create with both a hash and link=1" \
	-v username=zed -v password_hash="$H" -v link=1 -v issuer=https://kb.example.org
refused user-create 'not an argon2id string' "user-create with a hash mangled by the shell (\$ expanded)" \
	-v username=zed -v password_hash="=19=65536,t=2,p=1"
refused user-create 'needs -v issuer' "user-create link=1 without issuer" -v username=zed -v link=1
refused user-create 'not an origin' "user-create link=1 with an http issuer off loopback" \
	-v username=zed -v link=1 -v issuer=http://kb.example.org
refused user-create 'not a positive interval' "user-create link=1 with a bad valid" \
	-v username=zed -v link=1 -v issuer=https://kb.example.org -v valid=soon
refused user-create 'not a flag' "user-create with link=maybe" -v username=zed -v link=maybe
refused user-create 'no user "nobody" to reset' "user-create reset=1 of a user that does not exist" \
	-v username=nobody -v password_hash="$H" -v reset=1

# SQL (and psql) metacharacters are data.
evil="o'brien; drop table x --"
evil_name="Rob'); DELETE FROM mcpgate.users; -- :'username' \\ \"q\""
changed user-create "user-create: a username full of SQL metacharacters" \
	-v username="$evil" -v password_hash="$H" -v display_name="$evil_name"
is "$(it_psql "SELECT count(*) FROM mcpgate.users")" 2 "  two users now (nothing deleted)"
is "$(it_psql "SELECT username FROM mcpgate.users ORDER BY user_id DESC LIMIT 1")" "$evil" "  username stored literally"
is "$(it_psql "SELECT display_name FROM mcpgate.users ORDER BY user_id DESC LIMIT 1")" "$evil_name" "  display_name stored literally"
is "$(last_detail .username)" "$evil" "  and so in the audit detail"

# Link mode.
changed user-create "user-create: bob with a set-password link" \
	-v username=bob -v link=1 -v issuer=https://kb.example.org/ -v valid='2 days'
BOB=$(uid bob)
link=$(grep -o 'https://[^ ]*' "$OUT")
is "$(grep -c 'password?token=' "$OUT")" 1 "  prints the link once"
like "$link" '^https://kb\.example\.org/mcp/password\?token=[0-9a-f]{64}$' "  <issuer>/mcp/password?token=<64 hex>"
tok=${link##*token=}
secrets+=("$tok" "$(sha256hex "$tok")")
is "$(it_psql "SELECT encode(set_password_hash, 'hex') FROM mcpgate.users WHERE user_id = $BOB")" \
	"$(sha256hex "$tok")" "  the stored hash is the token's SHA-256"
is "$(it_psql "SELECT (set_password_expires_at = created_at + interval '2 days')::text
    FROM mcpgate.users WHERE user_id = $BOB")" true "  it expires 2 days after creation"
is "$(it_psql "SELECT (password_hash IS NULL)::text FROM mcpgate.users WHERE user_id = $BOB")" true "  no password yet"
is "$(last_audit)" "user_create $BOB -" "  audit: user_create"
is "$(last_detail .password)" link "  audit detail says link"

changed user-create "user-create: carol, link with mcp_path and the default validity" \
	-v username=carol -v link=1 -v issuer=http://127.0.0.1:8080 -v mcp_path=/kb/mcp -v display_name=Carol
CAROL=$(uid carol)
link=$(grep -o 'http://[^ ]*' "$OUT")
like "$link" '^http://127\.0\.0\.1:8080/kb/mcp/password\?token=[0-9a-f]{64}$' "  link under the given mcp_path"
tok=${link##*token=}
secrets+=("$tok" "$(sha256hex "$tok")")
is "$(it_psql "SELECT (encode(set_password_hash, 'hex') = '$(sha256hex "$tok")'
    AND set_password_expires_at = created_at + interval '7 days' AND display_name = 'Carol')::text
    FROM mcpgate.users WHERE user_id = $CAROL")" true "  hash matches, expires in 7 days, display name set"

# reset=1: a new link for alice keeps her password; a password for bob
# cancels his link.
changed user-create "user-create reset=1: a new link for Alice (any case)" \
	-v username=Alice -v reset=1 -v link=1 -v issuer=https://kb.example.org -v valid='1 hour'
link=$(grep -o 'https://[^ ]*' "$OUT")
tok=${link##*token=}
secrets+=("$tok" "$(sha256hex "$tok")")
is "$(it_psql "SELECT (encode(set_password_hash, 'hex') = '$(sha256hex "$tok")' AND password_hash = '$H')::text
    FROM mcpgate.users WHERE user_id = $ALICE")" true "  new link stored as a hash, password unchanged"
is "$(it_psql "SELECT (u.set_password_expires_at = a.at + interval '1 hour')::text
    FROM mcpgate.users u, mcpgate.audit_log a
    WHERE u.user_id = $ALICE AND a.id = (SELECT max(id) FROM mcpgate.audit_log)")" true "  expires in 1 hour"
is "$(last_audit)" "user_reset $ALICE -" "  audit: user_reset"
refused user-create 'only the password or link' "user-create reset=1 with a display_name" \
	-v username=alice -v reset=1 -v password_hash="$H" -v display_name=X

H2=$(echo 'battery staple' | "$PASSWD")
secrets+=("$H2")
changed user-create "user-create reset=1: a password for bob" -v username=bob -v reset=1 -v password_hash="$H2"
is "$(it_psql "SELECT (password_hash = '$H2' AND set_password_hash IS NULL AND set_password_expires_at IS NULL)::text
    FROM mcpgate.users WHERE user_id = $BOB")" true "  password set, pending link cancelled"
is "$(last_audit)" "user_reset $BOB -" "  audit: user_reset"

# ---- client-register.sql --------------------------------------------------------

for bad in http://example.com/cb 'javascript:alert(1)' 'https://*.example.com/cb' 'https://a.example/cb#frag'; do
	refused client-register "invalid redirect URI: \"$(re_quote "$bad")\"" "client-register with redirect URI $bad" \
		-v client_name=Bad -v redirect_uris="https://ok.example/cb $bad"
done
refused client-register 'redirect_uris=.*is required' "client-register without redirect_uris" -v client_name=X
refused client-register 'client_name=NAME is required' "client-register without client_name" \
	-v redirect_uris=https://ok.example/cb
refused client-register 'needs a secret' "client-register auth_method without secret=1" \
	-v client_name=X -v redirect_uris=https://ok.example/cb -v auth_method=client_secret_basic

changed client-register "client-register: a public client" -v client_name="Desktop; DROP TABLE x --'" \
	-v redirect_uris='https://app.example.com/cb  http://127.0.0.1:8123/cb'
C1=$(sed -n 's/^client_id: //p' "$OUT")
like "$C1" '^mcpgate-[0-9a-f]{32}$' "  prints client_id mcpgate-<32 hex>"
unlike "$(cat "$OUT")" 'secret' "  and no secret"
is "$(it_psql "SELECT concat_ws(' ', registration, token_endpoint_auth_method, secret_hash IS NULL, client_name,
    array_to_string(redirect_uris, ','), array_to_string(grant_types, ','), array_to_string(response_types, ','))
    FROM mcpgate.clients WHERE client_id = '$C1'")" \
	"admin none t Desktop; DROP TABLE x --' https://app.example.com/cb,http://127.0.0.1:8123/cb authorization_code,refresh_token code" \
	"  row: admin, public, no secret, name literal, both URIs, grant and response types"
meta=$(it_psql "SELECT metadata FROM mcpgate.clients WHERE client_id = '$C1'")
is "$(jq -r 'keys | join(",")' <<<"$meta")" \
	"client_id,client_id_issued_at,client_name,grant_types,redirect_uris,response_types,token_endpoint_auth_method" \
	"  metadata has the RFC 7591 fields"
is "$(jq -r '[.client_id, .token_endpoint_auth_method, (.redirect_uris | join(",")), (.grant_types | join(","))] | join(" ")' <<<"$meta")" \
	"$C1 none https://app.example.com/cb,http://127.0.0.1:8123/cb authorization_code,refresh_token" "  with the right values"
is "$(last_audit)" "client_register - $C1" "  audit: client_register"
is "$(last_detail '.registration + " " + .token_endpoint_auth_method')" "admin none" "  audit detail"

changed client-register "client-register: a confidential client (secret=1)" -v client_name='Team app' \
	-v redirect_uris=https://team.example.com/oauth/callback -v secret=1 -v scope='mcp:read  mcp:write'
C2=$(sed -n 's/^client_id: //p' "$OUT")
S2=$(sed -n 's/^client_secret: //p' "$OUT")
like "$S2" '^[0-9a-f]{64}$' "  prints a 64-hex secret"
is "$(grep -c -F "$S2" "$OUT")" 1 "  once"
secrets+=("$S2" "$(sha256hex "$S2")")
is "$(it_psql "SELECT concat_ws(' ', token_endpoint_auth_method, encode(secret_hash, 'hex'), scope)
    FROM mcpgate.clients WHERE client_id = '$C2'")" "client_secret_post $(sha256hex "$S2") mcp:read mcp:write" \
	"  stored: client_secret_post, only the secret's SHA-256, the scope"
meta=$(it_psql "SELECT metadata FROM mcpgate.clients WHERE client_id = '$C2'")
is "$(jq -r '[.token_endpoint_auth_method, .scope, (.client_secret_expires_at | tostring), (has("client_secret") | tostring)] | join(" ")' <<<"$meta")" \
	"client_secret_post mcp:read mcp:write 0 false" "  metadata: method, scope, client_secret_expires_at 0, no client_secret"
is "$(it_psql "SELECT count(*) FROM mcpgate.clients WHERE metadata::text LIKE '%$S2%' OR client_name LIKE '%$S2%'")" 0 \
	"  the secret is nowhere in the client's row"

changed client-register "client-register: secret=1 auth_method=client_secret_basic" -v client_name=Basic \
	-v redirect_uris=https://basic.example.com/cb -v secret=1 -v auth_method=client_secret_basic
C3=$(sed -n 's/^client_id: //p' "$OUT")
S3=$(sed -n 's/^client_secret: //p' "$OUT")
secrets+=("$S3" "$(sha256hex "$S3")")
is "$(it_psql "SELECT concat_ws(' ', token_endpoint_auth_method, encode(secret_hash, 'hex'), metadata->>'token_endpoint_auth_method')
    FROM mcpgate.clients WHERE client_id = '$C3'")" "client_secret_basic $(sha256hex "$S3") client_secret_basic" \
	"  stored as client_secret_basic with the secret's SHA-256"

# ---- grants: rows made directly, as the programs would -------------------------

# grant USER_ID CLIENT_ID -- a token family with an access and a refresh
# token and a consent; prints the family_id.
grant() {
	it_psql "WITH f AS (
	    INSERT INTO mcpgate.token_families (client_id, user_id, scope, resource, code_hash)
	    VALUES ('$2', $1, 'mcp:read', 'https://kb.example.org/mcp', sha256(convert_to(gen_random_uuid()::text, 'UTF8')))
	    RETURNING *),
	  t AS (
	    INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
	    SELECT sha256(convert_to(gen_random_uuid()::text, 'UTF8')), k, f.family_id, f.client_id, f.user_id,
	           f.scope, f.resource, now() + interval '1 hour'
	      FROM f, unnest(ARRAY['access', 'refresh']) k),
	  c AS (
	    INSERT INTO mcpgate.consents (user_id, client_id, scope, resource)
	    SELECT f.user_id, f.client_id, f.scope, f.resource FROM f)
	  SELECT family_id FROM f"
}
# code USER_ID CLIENT_ID [FAMILY_ID] -- an authorization code, unconsumed
# or consumed into FAMILY_ID.
code() {
	it_psql "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri,
	    code_challenge, scope, resource, expires_at, consumed_at, family_id)
	    VALUES (sha256(convert_to(gen_random_uuid()::text, 'UTF8')), '$2', $1, 'https://app.example.com/cb',
	    repeat('A', 43), 'mcp:read', 'https://kb.example.org/mcp', now() + interval '10 minutes',
	    CASE WHEN '${3:-}' <> '' THEN now() END, nullif('${3:-}', '')::uuid)" >/dev/null
}
F1=$(grant "$ALICE" "$C1")
F2=$(grant "$ALICE" "$C2")
F3=$(grant "$BOB" "$C1")
code "$ALICE" "$C1"
code "$ALICE" "$C1" "$F1"
code "$BOB" "$C1"
it_psql "INSERT INTO mcpgate.login_sessions (session_hash, user_id, csrf_hash, expires_at)
    VALUES (sha256('s1'), $BOB, sha256('c1'), now() + interval '1 hour'),
           (sha256('s2'), $BOB, sha256('c2'), now() + interval '1 hour'),
           (sha256('s3'), $ALICE, sha256('c3'), now() + interval '1 hour')"
like "$F1 $F2 $F3" '^[0-9a-f-]{36} [0-9a-f-]{36} [0-9a-f-]{36}$' "test grants created"

# A self-registered client, for clients-list and purge.
it_psql "INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, client_name, registration, created_at)
    VALUES ('dyn-recent', 'none', '{https://dyn.example/cb}', 'Dynamic recent', 'dynamic', now() - interval '10 days')"

# ---- clients-list.sql, grants-list.sql --------------------------------------------

before=$(state)
admin clients-list -A -t
is $? 0 "clients-list runs"
is "$(grep -c '' "$OUT")" 4 "  lists the four clients"
like "$(grep "^$C1|" "$OUT")" '\|admin\|none\|https://app\.example\.com/cb http://127\.0\.0\.1:8123/cb\|.*\|2$' \
	"  $C1: admin, none, its URIs, 2 live token families"
like "$(grep "^$C2|" "$OUT")" '\|client_secret_post\|.*\|1$' "  $C2: client_secret_post, 1 live family"
grep -q '^dyn-recent|Dynamic recent|dynamic|' "$OUT"
ok $? "  the dynamic client"
admin clients-list -A -t -v dynamic=0
is "$(grep -c '' "$OUT")" 3 "clients-list -v dynamic=0: three clients"
grep -q '^dyn-recent' "$OUT"
ok $((!$?)) "  without the dynamic one"
is "$(state)" "$before" "  lists change nothing"

before=$(state)
admin grants-list -A -t -v username=ALICE
is $? 0 "grants-list -v username=ALICE runs"
is "$(grep -c '^alice|' "$OUT")" 2 "  two consents of alice"
grep -q "^$F1|alice|$C1|" "$OUT" && grep -q "^$F2|alice|$C2|" "$OUT"
ok $? "  her two token families"
grep -q "$F3" "$OUT"
ok $((!$?)) "  not bob's"
admin grants-list -A -t -v client_id="$C1"
grep -q "^$F1|alice|" "$OUT" && grep -q "^$F3|bob|" "$OUT" && ! grep -q "$F2" "$OUT"
ok $? "grants-list -v client_id: the client's families of both users, not the others"
hashes=$(it_psql "SELECT string_agg(encode(token_hash, 'hex'), ' ') FROM mcpgate.tokens")
leak=0
for h in $hashes; do grep -q "$h" "$OUT" && leak=1; done
is $leak 0 "  no token hash shown"
is "$(state)" "$before" "  changes nothing"
refused grants-list 'give -v username=NAME or -v client_id=ID' "grants-list without username or client_id"
refused grants-list 'no user "nobody"' "grants-list of an unknown user" -v username=nobody

# ---- grants-revoke.sql ----------------------------------------------------------

refused grants-revoke 'give -v username=NAME or -v client_id=ID' "grants-revoke without username or client_id"
refused grants-revoke 'no client with client_id "nope"' "grants-revoke of an unknown client" -v client_id=nope
changed grants-revoke "grants-revoke: alice's grants to $C1" -v username=alice -v client_id="$C1"
like "$(cat "$OUT")" '1 consents, 1 token families, 2 tokens revoked; 1 unused authorization codes deleted' "  prints the counts"
is "$(it_psql "SELECT concat_ws(' ', revoked_at IS NOT NULL, revoke_reason) FROM mcpgate.token_families WHERE family_id = '$F1'")" \
	"t admin" "  the family is revoked, reason admin"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE family_id = '$F1' AND revoked_at IS NOT NULL")" 2 "  both its tokens revoked"
is "$(it_psql "SELECT count(*) FROM mcpgate.consents WHERE user_id = $ALICE AND client_id = '$C1' AND revoked_at IS NOT NULL")" 1 \
	"  the consent revoked"
is "$(it_psql "SELECT string_agg((consumed_at IS NOT NULL)::text, ',') FROM mcpgate.authorization_codes
    WHERE user_id = $ALICE AND client_id = '$C1'")" true "  the unconsumed code deleted, the consumed one kept"
is "$(it_psql "SELECT count(*) FROM mcpgate.token_families WHERE family_id IN ('$F2', '$F3') AND revoked_at IS NULL")" 2 \
	"  other grants untouched"
is "$(it_psql "SELECT count(*) FROM mcpgate.authorization_codes WHERE user_id = $BOB")" 1 "  bob's code untouched"
is "$(last_audit)" "revoke $ALICE $C1" "  audit: revoke with user and client"
is "$(last_detail '[.reason, .token_families_revoked, .tokens_revoked, .consents_revoked, .authorization_codes_deleted] | map(tostring) | join(" ")')" \
	"admin 1 2 1 1" "  audit detail: reason and counts"

changed grants-revoke "grants-revoke -v username=ALICE: all her grants" -v username=ALICE
is "$(it_psql "SELECT concat_ws(' ', revoke_reason, (SELECT count(*) FROM mcpgate.tokens t WHERE t.family_id = f.family_id AND t.revoked_at IS NULL))
    FROM mcpgate.token_families f WHERE family_id = '$F2'")" "admin 0" "  $C2's family and tokens revoked too"
is "$(it_psql "SELECT count(*) FROM mcpgate.consents WHERE user_id = $ALICE AND revoked_at IS NULL")" 0 "  no live consent of alice left"
is "$(it_psql "SELECT count(*) FROM mcpgate.token_families WHERE family_id = '$F3' AND revoked_at IS NULL")" 1 "  bob's grant untouched"

# ---- user-disable.sql -----------------------------------------------------------

refused user-disable 'username=NAME is required' "user-disable without username"
refused user-disable 'no user "nobody"' "user-disable of an unknown user" -v username=nobody
changed user-disable "user-disable: bob" -v username=BOB
like "$(cat "$OUT")" 'disabled: 2 login sessions deleted, 1 token families revoked, 1 consents revoked, 1 unused authorization codes deleted' \
	"  prints the counts"
is "$(it_psql "SELECT (disabled_at IS NOT NULL)::text FROM mcpgate.users WHERE user_id = $BOB")" true "  disabled_at set"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE user_id = $BOB")" 0 "  his login sessions deleted"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE user_id = $ALICE")" 1 "  alice's kept"
is "$(it_psql "SELECT concat_ws(' ', revoked_at IS NOT NULL, revoke_reason) FROM mcpgate.token_families WHERE family_id = '$F3'")" \
	"t user disabled" "  his token family revoked, reason 'user disabled'"
is "$(it_psql "SELECT count(*) FROM mcpgate.consents WHERE user_id = $BOB AND revoked_at IS NULL")" 0 "  his consents revoked"
is "$(it_psql "SELECT (password_hash = '$H2')::text FROM mcpgate.users WHERE user_id = $BOB")" true "  his password kept"
is "$(last_audit)" "user_disable $BOB -" "  audit: user_disable"
is "$(last_detail '[.login_sessions_deleted, .token_families_revoked] | map(tostring) | join(" ")')" "2 1" "  audit detail: counts"
changed user-disable "user-disable -v enable=1: bob again" -v username=bob -v enable=1
is "$(it_psql "SELECT (disabled_at IS NULL)::text FROM mcpgate.users WHERE user_id = $BOB")" true "  disabled_at cleared"
is "$(it_psql "SELECT (revoked_at IS NOT NULL)::text FROM mcpgate.token_families WHERE family_id = '$F3'")" true \
	"  his grants stay revoked"
is "$(last_audit)" "user_enable $BOB -" "  audit: user_enable"

# ---- client-disable.sql -----------------------------------------------------------

F4=$(grant "$CAROL" "$C2")
code "$CAROL" "$C2"
refused client-disable 'client_id=ID is required' "client-disable without client_id"
refused client-disable 'no client with client_id' "client-disable of an unknown client" -v client_id="x'; --"
changed client-disable "client-disable: $C2" -v client_id="$C2"
is "$(it_psql "SELECT (disabled_at IS NOT NULL)::text FROM mcpgate.clients WHERE client_id = '$C2'")" true "  disabled_at set"
is "$(it_psql "SELECT concat_ws(' ', f.revoke_reason, (SELECT count(*) FROM mcpgate.tokens t WHERE t.family_id = f.family_id AND t.revoked_at IS NULL))
    FROM mcpgate.token_families f WHERE family_id = '$F4'")" "client disabled 0" "  carol's grant and its tokens revoked"
is "$(it_psql "SELECT count(*) FROM mcpgate.consents WHERE client_id = '$C2' AND revoked_at IS NULL")" 0 "  consents revoked"
is "$(it_psql "SELECT count(*) FROM mcpgate.authorization_codes WHERE client_id = '$C2'")" 0 "  its unused code deleted"
is "$(it_psql "SELECT (disabled_at IS NULL)::text FROM mcpgate.clients WHERE client_id = '$C1'")" true "  other clients untouched"
is "$(last_audit)" "client_disable - $C2" "  audit: client_disable"
changed client-disable "client-disable -v enable=1" -v client_id="$C2" -v enable=1
is "$(it_psql "SELECT (disabled_at IS NULL)::text FROM mcpgate.clients WHERE client_id = '$C2'")" true "  disabled_at cleared"
is "$(last_audit)" "client_enable - $C2" "  audit: client_enable"

# ---- purge.sql ---------------------------------------------------------------------

it_psql "INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, registration, created_at, last_used_at)
    VALUES ('dyn-old', 'none', '{https://dyn.example/cb}', 'dynamic', now() - interval '100 days', NULL),
           ('dyn-old-used', 'none', '{https://dyn.example/cb}', 'dynamic', now() - interval '200 days', now() - interval '95 days'),
           ('dyn-used-lately', 'none', '{https://dyn.example/cb}', 'dynamic', now() - interval '200 days', now() - interval '5 days'),
           ('dyn-old-live', 'none', '{https://dyn.example/cb}', 'dynamic', now() - interval '100 days', NULL),
           ('adm-old', 'none', '{https://adm.example/cb}', 'admin', now() - interval '300 days', NULL)"
F5=$(grant "$ALICE" dyn-old-live)
F6=$(grant "$ALICE" dyn-old)
it_psql "UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'admin' WHERE family_id = '$F6'"
# An access token that expired two days ago, for purge_expired().
it_psql "INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, created_at, expires_at)
    VALUES (sha256('old'), 'access', '$F5', 'dyn-old-live', $ALICE, 'mcp:read', 'https://kb.example.org/mcp',
            now() - interval '3 days', now() - interval '2 days')"

refused purge 'not a positive interval' "purge with a bad client_expiry" -v client_expiry=never
changed purge "purge (default client_expiry 90 days)"
like "$(cat "$OUT")" '1 tokens, 0 token families, 2 dynamic clients unused for 90 days \(dyn-old-used dyn-old\)' \
	"  prints what it deleted"
is "$(it_psql "SELECT string_agg(client_id, ' ' ORDER BY client_id) FROM mcpgate.clients WHERE client_id LIKE 'd%' OR client_id LIKE 'a%'")" \
	"adm-old dyn-old-live dyn-recent dyn-used-lately" \
	"  unused dynamic clients without a live grant deleted; used, live, recent and admin ones kept"
is "$(it_psql "SELECT count(*) FROM mcpgate.token_families WHERE family_id = '$F6'")" 0 "  the deleted client's revoked family went with it"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE token_hash = sha256('old')")" 0 "  the expired token purged"
is "$(last_audit)" "purge - -" "  audit: purge"
is "$(last_detail '(.deleted.dynamic_clients | tostring) + " " + (.client_ids | join(","))')" "2 dyn-old-used,dyn-old" \
	"  audit detail: counts and client_ids"
n0=$(it_psql "SELECT count(*) FROM mcpgate.audit_log")
admin purge -v client_expiry='7 days'
is $? 0 "purge -v client_expiry='7 days'"
is "$(it_psql "SELECT string_agg(client_id, ' ' ORDER BY client_id) FROM mcpgate.clients WHERE client_id LIKE 'dyn%'")" \
	"dyn-old-live dyn-used-lately" "  now the 10-day-old dynamic client goes too"
admin purge
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log")" "$((n0 + 1))" "a purge that deletes nothing writes no audit row"
like "$(cat "$OUT")" '0 dynamic clients' "  and says it deleted nothing"

# ---- audit.sql --------------------------------------------------------------------

before=$(state)
admin audit -A -t
is $? 0 "audit.sql runs"
is "$(grep -c '' "$OUT")" "$(it_psql "SELECT least(count(*), 100) FROM mcpgate.audit_log")" "  shows the rows (up to 100)"
is "$(head -n 1 "$OUT" | cut -d'|' -f1)" "$(it_psql "SELECT max(id) FROM mcpgate.audit_log")" "  newest first"
admin audit -A -t -v event=user_create
is "$(cut -d'|' -f3 "$OUT" | sort -u)" user_create "-v event=user_create: only that event"
is "$(grep -c '' "$OUT")" 4 "  all four"
admin audit -A -t -v username=ALICE
is "$(cut -d'|' -f4 "$OUT" | sort -u)" alice "-v username=ALICE: only alice's events"
is "$(cut -d'|' -f3 "$OUT" | sort | tr '\n' ' ')" "revoke revoke user_create user_reset " "  her four"
admin audit -A -t -v limit=2
is "$(grep -c '' "$OUT")" 2 "-v limit=2: two rows"
it_psql "INSERT INTO mcpgate.audit_log (at, event) VALUES (now() - interval '10 days', 'login_ok')"
admin audit -A -t -v event=login_ok
is "$(grep -c '' "$OUT")" 0 "an event older than 7 days is not shown by default"
admin audit -A -t -v event=login_ok -v since='30 days'
is "$(grep -c '' "$OUT")" 1 "  but with -v since='30 days'"
it_psql "DELETE FROM mcpgate.audit_log WHERE event = 'login_ok'"
is "$(state)" "$before" "audit.sql changes nothing"
refused audit 'not an interval' "audit with a bad since" -v since=yesterday
refused audit 'not a number' "audit with a bad limit" -v limit=all

# ---- the audit log as a whole ----------------------------------------------------------

is "$(it_psql "SELECT string_agg(event || '=' || n, ' ' ORDER BY event) FROM
    (SELECT event, count(*) n FROM mcpgate.audit_log GROUP BY event) s")" \
	"client_disable=1 client_enable=1 client_register=3 purge=2 revoke=2 user_create=4 user_disable=1 user_enable=1 user_reset=2" \
	"one audit row per change, none for refused runs"
it_psql "SELECT a::text FROM mcpgate.audit_log a" >"$IT_DIR/audit.dump"
leak=''
for s in "${secrets[@]}"; do
	grep -q -F "$s" "$IT_DIR/audit.dump" && leak="$leak ${s:0:12}..."
done
is "$leak" '' "no secret, token, password hash or hash of a secret in the audit log (${#secrets[@]} checked)"
grep -q -i 'argon2\|token=' "$IT_DIR/audit.dump"
ok $((!$?)) "  nor anything that looks like one"

done_testing
