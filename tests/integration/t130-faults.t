#!/bin/bash
# t130-faults.t -- faults under the running programs (lighttpd, FastCGI, 4
# processes per program) against real PostgreSQL, each automated (issue 8):
#  1. PostgreSQL stopped DURING LOAD: seven concurrent clients refresh tokens,
#     exchange codes and call tools while the cluster stops (fast shutdown:
#     transactions in flight are cut) and starts again. Every answer is 200
#     or 503 + Retry-After with a JSON error and no detail; nothing hangs; the
#     same processes serve on; no grant is lost or duplicated (every client's
#     chain of refresh tokens is exactly the lineage in the database, every
#     code gave exactly one pair, and the pair in the database is the one the
#     client got).
#  2. A slow database: a row the request needs is locked past
#     db_statement_timeout: 503 + Retry-After, and the transaction rolled
#     back (token refresh, code exchange, registration).
#  3. A FastCGI process killed (SIGKILL) in the middle of a code exchange:
#     that request gets the front end's error, the next request succeeds, no
#     half-written grant (PostgreSQL notices the lost client and rolls back:
#     the client's retry redeems the code).
#  4. A write that fails (a test-only trigger raising check_violation on an
#     insert for a marked client): a clean OAuth error (500, JSON or the
#     error page) without the database's words, and nothing partial, at the
#     token endpoint (code exchange, refresh), registration and consent.
# SPEC ids: S-11, S-12, S-24, TK-02, TK-08, RT-03, RT-06 (grants); the 503
# and Retry-After contract of doc/design.md §4.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl sha256sum
unset MCPGATE_TEST_PGHOST	# this test stops its cluster: never a shared one
export STACK_LIGHTTPD_MAX_PROCS=4
IT_HTTP_TIMEOUT=20
it_db t130
it_user demo 'demo password 1'
it_config log_level=debug login_limit_user=1000 login_limit_ip=1000 register_limit=1000 \
    token_failure_limit=1000
it_lighttpd
B=$IT_URL
CB=https://client.example/cb
PSQL=$(_stack_pg_bindir)/psql
SID=$IT_FE_DIR/lighttpd.sid
LOG=$IT_FE_DIR/lighttpd-stderr.log
W=$IT_DIR/work
mkdir -p "$W"

register() {	# register JSON -> client_id
	http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1" >/dev/null
	http_json .client_id
}
CID=$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}')
[[ $CID =~ ^[A-Za-z0-9_-]{43}$ ]] || bail_out "registration failed"
DEMO=$(it_psql "SELECT user_id FROM mcpgate.users WHERE username = 'demo'")
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
hx() { printf "decode('%s', 'hex')" "$(sha "$1")"; }
rnd() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }
# codes N [CLIENT] -- N fresh codes of the client for demo, made in SQL as
# the consent page would (a test of the token endpoint, not of the pages)
codes() {
	local i c vals='' list=''
	for i in $(seq "$1"); do
		c=$(rnd)
		list="$list $c"
		vals="$vals${vals:+,}($(hx "$c"), '${2:-$CID}', $DEMO, '$CB', '$IT_CHALLENGE', 'mcp:read', '$B/mcp', now() + interval '10 minutes')"
	done
	it_psql "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, resource, expires_at) VALUES $vals" >/dev/null ||
		bail_out "could not insert codes"
	# shellcheck disable=SC2086
	it_secret $list
	printf '%s' "${list# }"
}
grant_form() { printf 'grant_type=authorization_code&code=%s&client_id=%s&code_verifier=%s&redirect_uri=%s' \
    "$1" "${2:-$CID}" "$IT_VERIFIER" "$(it_urlencode "$CB")"; }
refresh_form() { printf 'grant_type=refresh_token&refresh_token=%s&client_id=%s' "$1" "${2:-$CID}"; }
# pair CODE [CLIENT] -- exchange a code: sets AT and RT
pair() {
	http POST /mcp/token --data "$(grant_form "$1" "${2:-}")"
	AT=$(http_json .access_token) RT=$(http_json .refresh_token)
}
fe_pids() { pgrep -s "$(cat "$SID")" -f "/cgi-bin/$1\$" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
wait_sql() {	# wait_sql SQL -- until it prints t (10 s)
	local i
	for i in $(seq 100); do
		[ "$(it_psql "$1" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}
GATE=
gate_hold() {	# gate_hold SQL -- run it in a transaction kept open
	PGAPPNAME=t130-gate "$PSQL" -X -q -d "$IT_DB" -v ON_ERROR_STOP=1 \
	    -c 'BEGIN' -c "$1" -c 'SELECT pg_sleep(120)' >"$W/gate.out" 2>&1 &
	GATE=$!
	wait_sql "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 't130-gate' AND wait_event = 'PgSleep'" ||
		diag "the gate transaction did not start: $(cat "$W/gate.out")"
}
gate_release() {
	[ -n "$GATE" ] || return 0
	it_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 't130-gate'" >/dev/null
	wait "$GATE" 2>/dev/null
	GATE=
}
it_at_exit gate_release
# The database's words must never reach a client.
DETAIL='PGSQL|socket|terminat|FATAL|ERROR|SQLSTATE|statement|violat|t130|postgres|relation|mcpgate\.[a-z_]+[ (]'

# ============================================================================
# 1. PostgreSQL stopped during load
# ============================================================================
# Three clients refresh in a chain, two exchange codes (retrying a code after a
# 503, as a client would), two call tools; each writes one line per request:
#   R: i status old-rt new-rt new-at retry-after error
#   C: code status at rt retry-after error
#   M: i status retry-after error-or-result
STOP=$W/stop
req() {	# req OUT-PREFIX URL CURL-ARGS... -> "status retry-after" (body in OUT.b)
	local o=$1 u=$2 st
	shift 2
	st=$(curl -s --noproxy '*' --max-time 15 -D "$o.h" -o "$o.b" -w '%{http_code}' "$@" "$u")
	[ -n "$st" ] || st=000
	printf '%s %s' "$st" "$(tr -d '\r' <"$o.h" 2>/dev/null | sed -n 's/^[Rr]etry-[Aa]fter: *//p' | tail -n 1)"
}
worker_refresh() {	# worker_refresh NAME RT
	local n=$1 rt=$2 i=0 st ra new at
	while [ ! -e "$STOP" ] || [ "$i" -lt 3 ]; do
		i=$((i + 1))
		read -r st ra <<<"$(req "$W/$n.r" "$B/mcp/token" --data "$(refresh_form "$rt")")"
		new=$(jq -r '.refresh_token // "-"' "$W/$n.r.b" 2>/dev/null)
		at=$(jq -r '.access_token // "-"' "$W/$n.r.b" 2>/dev/null)
		printf '%s %s %s %s %s %s %s\n' "$i" "$st" "$rt" "${new:--}" "${at:--}" "${ra:--}" \
		    "$(jq -r '.error // "-"' "$W/$n.r.b" 2>/dev/null | head -n 1)" >>"$W/$n.log"
		[ "$st" = 503 ] && cp "$W/$n.r.b" "$W/$n.503.b"
		[ "$st" = 200 ] && [ -n "$new" ] && [ "$new" != - ] && rt=$new
		[ "$st" = 200 ] || sleep 0.1
		[ "$i" -ge 400 ] && break
	done
	printf '%s\n' "$rt" >"$W/$n.final"
}
worker_codes() {	# worker_codes NAME CODE...
	local n=$1 c st ra t
	shift
	for c in "$@"; do
		for t in $(seq 100); do
			read -r st ra <<<"$(req "$W/$n.c" "$B/mcp/token" --data "$(grant_form "$c")")"
			printf '%s %s %s %s %s %s\n' "$c" "$st" \
			    "$(jq -r '.access_token // "-"' "$W/$n.c.b" 2>/dev/null)" \
			    "$(jq -r '.refresh_token // "-"' "$W/$n.c.b" 2>/dev/null)" "${ra:--}" \
			    "$(jq -r '.error // "-"' "$W/$n.c.b" 2>/dev/null | head -n 1)" >>"$W/$n.log"
			[ "$st" = 503 ] && cp "$W/$n.c.b" "$W/$n.503.b"
			[ "$st" = 503 ] || [ "$st" = 000 ] || break
			sleep 0.1
		done
		[ -e "$STOP" ] && break
		sleep 0.2	# (60 codes last longer than the whole run)
	done
}
worker_mcp() {	# worker_mcp NAME TOKEN
	local n=$1 tok=$2 i=0 st ra
	while [ ! -e "$STOP" ] || [ "$i" -lt 3 ]; do
		i=$((i + 1))
		read -r st ra <<<"$(req "$W/$n.m" "$B/mcp" -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $tok" -H 'MCP-Protocol-Version: 2025-06-18' \
		    --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"backup"}}}')"
		printf '%s %s %s %s\n' "$i" "$st" "${ra:--}" \
		    "$(jq -r 'if .error then "error:\(.error.code)" elif .result.isError then "isError" else "result" end' "$W/$n.m.b" 2>/dev/null)" >>"$W/$n.log"
		[ "$st" = 503 ] && cp "$W/$n.m.b" "$W/$n.503.b"
		[ "$st" = 200 ] || sleep 0.1
		[ "$i" -ge 400 ] && break
	done
}

it_psql "CREATE FUNCTION public.t130_wait(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE plpgsql AS
  \$\$ BEGIN PERFORM pg_sleep(20); RETURN '{}'; END \$\$;
  INSERT INTO mcpgate.tools (name, title, description, input_schema, function)
  VALUES ('t130_wait', 'Wait', 'Sleeps 20 seconds.', '{\"type\":\"object\"}', 'public.t130_wait(jsonb,jsonb)')" >/dev/null ||
	bail_out "could not add the t130_wait tool"
# the starting grants: three refresh chains, two tokens for tools, 2 x 60 codes
read -r -a c0 <<<"$(codes 5)"
pair "${c0[0]}"; R1=$RT; pair "${c0[1]}"; R2=$RT; pair "${c0[4]}"; R3=$RT
pair "${c0[2]}"; M1=$AT; pair "${c0[3]}"; M2=$AT
[[ "$R1 $R2 $R3 $M1 $M2" =~ ^([A-Za-z0-9_-]{43} ?){5}$ ]] || bail_out "could not get the starting tokens"
read -r -a CC1 <<<"$(codes 60)"
read -r -a CC2 <<<"$(codes 60)"
PIDS_TOKEN=$(fe_pids token) PIDS_MCP=$(fe_pids mcp)
[ -n "$PIDS_TOKEN" ] && [ -n "$PIDS_MCP" ] || bail_out "no FastCGI processes found"

worker_refresh r1 "$R1" & wp="$!"
worker_refresh r2 "$R2" & wp="$wp $!"
worker_codes c1 "${CC1[@]}" & wp="$wp $!"
worker_codes c2 "${CC2[@]}" & wp="$wp $!"
worker_mcp m1 "$M1" & wp="$wp $!"
worker_mcp m2 "$M2" & wp="$wp $!"
# A third chain whose first refresh is certainly in flight at the stop: a
# test-only trigger holds it inside token_refresh, after the rotating UPDATE
# (until this postmaster stops); and a tool call inside its tool.
PM=$(it_psql "SELECT pg_postmaster_start_time()")
it_psql "CREATE FUNCTION public.t130_hold() RETURNS trigger LANGUAGE plpgsql AS \$\$
  BEGIN
    IF pg_postmaster_start_time() = '$PM' AND OLD.token_hash = $(hx "$R3") THEN PERFORM pg_sleep(20); END IF;
    RETURN NEW;
  END \$\$;
  CREATE TRIGGER t130_hold AFTER UPDATE ON mcpgate.tokens FOR EACH ROW EXECUTE FUNCTION public.t130_hold()" >/dev/null ||
	bail_out "could not create the holding trigger"
worker_refresh r3 "$R3" & wp="$wp $!"
curl -s --noproxy '*' --max-time 15 -D "$W/m3.h" -o "$W/m3.b" -w '%{http_code}' "$B/mcp" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $M1" -H 'MCP-Protocol-Version: 2025-06-18' \
    --data-binary '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"t130_wait","arguments":{}}}' >"$W/m3.s" 2>/dev/null &
wp="$wp $!"
it_sleep 1.5
wait_sql "SELECT count(*) = 2 FROM pg_stat_activity WHERE application_name IN ('mcpgate-token', 'mcpgate-mcp') AND wait_event = 'PgSleep'" ||
	diag "r3's refresh and the t130_wait call are not both running in the database"
it_pg_stop || bail_out "could not stop PostgreSQL"
t_down=$(date +%s.%N)
# meanwhile, the other programs that need the database
http GET "/mcp/authorize?response_type=code&client_id=$CID&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256"
is "$HTTP_STATUS/$(http_header Retry-After)" 503/5 "outage: the authorization page → 503 with Retry-After"
like "$(http_header Content-Type)" '^text/html' "  an error page"
unlike "$(cat "$HTTP_BODY")" "$DETAIL" "  without the database's words"
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
is "$HTTP_STATUS/$(http_json .error)/$(http_header Retry-After)" 503/temporarily_unavailable/5 "outage: registration → 503 temporarily_unavailable with Retry-After"
it_sleep 1.5
it_pg_start || bail_out "could not start PostgreSQL again"
t_up=$(date +%s.%N)
it_sleep 2
touch "$STOP"
# every worker must end: a request that hangs would keep it (curl --max-time 15)
hung=''
for p in $wp; do
	for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && { hung="$hung $p"; kill "$p" 2>/dev/null; }
	wait "$p" 2>/dev/null
done
is "$hung" "" "load: every client finished (no request hung while PostgreSQL stopped and started)"
diag "outage $(awk -v a="$t_up" -v b="$t_down" 'BEGIN { printf "%.1f", a - b }') s; requests: $(cat "$W"/*.log | wc -l)"
# what the clients received, for the leak scan
for f in "$W"/r?.log "$W"/c?.log; do
	# shellcheck disable=SC2046
	it_secret $(awk '{ print $3; print $4; print $5 }' "$f" | grep -E '^[A-Za-z0-9_-]{43}$' | sort -u)
done

statuses() { cat "$@" | awk -v col="$COL" '{ print $col }' | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
COL=2
for k in r c m; do
	case $k in r) what="token refreshes" ;; c) what="code exchanges" ;; m) what="tools/call" ;; esac
	s=$(statuses "$W/$k"?.log)
	like "$s" '503:[0-9]+' "load, $what: some were refused with 503 while PostgreSQL was down ($s)"
	unlike "$s" '(^| )(000|5(0[0-2]|0[4-9]|[1-9][0-9])|4[0-9][0-9]):' "  every answer was 200 or 503: no 500, no 4xx, no missing answer"
	case $k in r) rc=6 ;; c) rc=5 ;; m) rc=3 ;; esac
	bad=$(awk -v c="$rc" '$2 == 503 && $c !~ /^[0-9]+$/' "$W/$k"?.log | wc -l)
	is "$bad" 0 "  each 503 carried Retry-After"
	last=$(for f in "$W/$k"?.log; do tail -n 1 "$f" | cut -d' ' -f2; done | sort -u | tr '\n' ' ')
	is "$last" "200 " "  after the restart the service resumed (every client's last request 200)"
done
for f in "$W"/*.503.b; do
	[ -f "$f" ] || continue
	if [[ $f == */m?.503.b ]]; then
		e=$(jq -r 'if .jsonrpc then .error.code else .error end' "$f" 2>/dev/null)
		like "$e" '^(-32603|temporarily_unavailable)$' "load, tools/call: the 503 is a JSON error, JSON-RPC or OAuth's (${f##*/})"
	else
		e=$(jq -r .error "$f" 2>/dev/null)
		is "$e" temporarily_unavailable "load, token: the 503 is the OAuth JSON error temporarily_unavailable (${f##*/})"
	fi
	unlike "$(cat "$f")" "$DETAIL" "  with no detail of the database"
done
is "$(fe_pids token)/$(fe_pids mcp)" "$PIDS_TOKEN/$PIDS_MCP" "load: the same FastCGI processes serve before and after (no program died or restarted)"

it_psql "DROP TRIGGER t130_hold ON mcpgate.tokens" >/dev/null
is "$(head -n 1 "$W/r3.log" | cut -d' ' -f2)" 503 "load: a refresh half done inside token_refresh (token rotated, transaction open) when PostgreSQL stopped → 503"
is "$(cat "$W/m3.s")/$(tr -d '\r' <"$W/m3.h" | sed -n 's/^[Rr]etry-[Aa]fter: *//p')" 503/5 \
    "load: a tools/call running its tool when PostgreSQL stopped → 503 with Retry-After"
is "$(jq -r '"\(.jsonrpc) \(.id) \(.error.code)"' "$W/m3.b" 2>/dev/null)" "2.0 3 -32603" "  a JSON-RPC error for that call"
unlike "$(cat "$W/m3.b")" "$DETAIL" "  without the database's words"
# Refresh chains: what each client holds is exactly the lineage in the database.
for n in r1 r2 r3; do
	chain=$(awk '$2 == 200 { print $4 }' "$W/$n.log")
	first=$(head -n 1 "$W/$n.log" | cut -d' ' -f3)
	want=$(for t in "$first" $chain; do sha "$t"; done | tr '\n' ' ')
	got=$(it_psql "WITH RECURSIVE l(h, n) AS (
	    SELECT token_hash, 1 FROM mcpgate.tokens WHERE token_hash = $(hx "$first")
	    UNION ALL SELECT t.successor_hash, l.n + 1 FROM l JOIN mcpgate.tokens t ON t.token_hash = l.h
	     WHERE t.successor_hash IS NOT NULL)
	  SELECT string_agg(encode(h, 'hex'), ' ' ORDER BY n) FROM l")
	n200=$(awk '$2 == 200' "$W/$n.log" | wc -l)
	is "$got " "$want" "RT-03, S-12: $n: the database's rotation lineage is exactly the chain the client received ($n200 refreshes, none lost or added)"
	fam=$(it_psql "SELECT family_id FROM mcpgate.tokens WHERE token_hash = $(hx "$first")")
	rows=$(it_psql "SELECT count(*) FILTER (WHERE kind = 'refresh') || '/' || count(*) FILTER (WHERE kind = 'access') || '/' || count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM mcpgate.tokens WHERE family_id = '$fam'")
	ats=$(awk '$2 == 200 { print $5 }' "$W/$n.log" | sort -u | wc -l)
	is "$rows" "$(( $(wc -w <<<"$chain") + 1 ))/$((ats + 1))/0" \
	    "  its family holds one refresh token per link, one access token per answer (+ the first), nothing revoked"
	is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE kind = 'access' AND token_hash IN ($(awk '$2 == 200 { print $5 }' "$W/$n.log" | while read -r t; do printf '%s,' "$(hx "$t")"; done)NULL)")" \
	    "$ats" "  every access token the client got is stored"
	is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'refresh' AND detail->>'family_id' = '$fam'")" "$(wc -w <<<"$chain")" \
	    "  one audit entry per rotation"
	fin=$(cat "$W/$n.final")
	http POST /mcp/token --data "$(refresh_form "$fin")"
	is "$HTTP_STATUS" 200 "  and the client's last refresh token works"
done
# Codes: exactly one pair each, and it is the pair the client got.
used=$(cut -d' ' -f1 "$W/c1.log" "$W/c2.log" | sort -u)
nused=$(wc -w <<<"$used")
ok200=$(awk '$2 == 200 { print $1 }' "$W/c1.log" "$W/c2.log" | sort | uniq -c | awk '$1 == 1' | wc -l)
is "$ok200" "$nused" "TK-08, S-11: every one of the $nused codes tried was exchanged exactly once (one 200 each)"
inlist() { local t s=''; for t in "$@"; do s="$s$(hx "$t"),"; done; printf '%sNULL' "$s"; }
# shellcheck disable=SC2046
# shellcheck disable=SC2086
is "$(it_psql "SELECT count(*) FILTER (WHERE consumed_at IS NOT NULL AND family_id IS NOT NULL) FROM mcpgate.authorization_codes WHERE code_hash IN ($(inlist $used))")" \
    "$nused" "  each is consumed, with its family"
# shellcheck disable=SC2046
# shellcheck disable=SC2086
is "$(it_psql "SELECT count(*) || '/' || count(DISTINCT t.family_id) FROM mcpgate.tokens t JOIN mcpgate.authorization_codes c USING (family_id) WHERE c.code_hash IN ($(inlist $used))")" \
    "$((2 * nused))/$nused" "  each family holds exactly one access and one refresh token (nothing duplicated)"
# shellcheck disable=SC2046
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE token_hash IN ($(inlist $(awk '$2 == 200 { print $3; print $4 }' "$W/c1.log" "$W/c2.log")))")" \
    "$((2 * nused))" "  and those are the tokens the clients received"
# shellcheck disable=SC2046
is "$(it_psql "SELECT count(*) FROM mcpgate.authorization_codes WHERE code_hash IN ($(inlist "${CC1[@]}" "${CC2[@]}")) AND consumed_at IS NOT NULL")" \
    "$nused" "  no code the clients did not get an answer for was consumed"
http GET /mcp/health
is "$HTTP_STATUS" 200 "load: health 200 after the restart"

# ============================================================================
# 2. A slow database: a lock held past db_statement_timeout
# ============================================================================
it_config db_statement_timeout=700
read -r -a c2 <<<"$(codes 2)"
pair "${c2[0]}"; SRT=$RT
fam=$(it_psql "SELECT family_id FROM mcpgate.tokens WHERE token_hash = $(hx "$SRT")")
snap() { it_psql "SELECT (SELECT count(*) FROM mcpgate.tokens) || '/' || (SELECT count(*) FROM mcpgate.audit_log) || '/' || (SELECT count(*) FROM mcpgate.token_families) || '/' || (SELECT count(*) FROM mcpgate.clients)"; }

gate_hold "SELECT 1 FROM mcpgate.tokens WHERE token_hash = $(hx "$SRT") FOR UPDATE"
before=$(snap)
t0=$(date +%s%N)
http POST /mcp/token --data "$(refresh_form "$SRT")"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$HTTP_STATUS/$(http_json .error)" 503/temporarily_unavailable "slow database: a refresh waiting on a locked row past db_statement_timeout → 503 temporarily_unavailable"
is "$(http_header Retry-After)" 5 "  with Retry-After"
is "$(http_header Cache-Control)" no-store "  TK-02: no-store"
unlike "$(cat "$HTTP_BODY")" "$DETAIL" "  no database detail in the answer"
ok "$([ "$ms" -ge 600 ] && [ "$ms" -lt 10000 ]; echo $?)" "  after the statement timeout, not before and not hanging (${ms} ms)"
is "$(snap)" "$before" "  rolled back: no token, family, audit entry added"
is "$(it_psql "SELECT rotated_at IS NULL FROM mcpgate.tokens WHERE token_hash = $(hx "$SRT")")" t "  the refresh token is not rotated"
is "$(it_psql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mcpgate-token' AND state LIKE 'idle in transaction%'")" 0 \
    "  no transaction left open"
gate_release
gate_hold "SELECT 1 FROM mcpgate.authorization_codes WHERE code_hash = $(hx "${c2[1]}") FOR UPDATE"
http POST /mcp/token --data "$(grant_form "${c2[1]}")"
is "$HTTP_STATUS/$(http_json .error)/$(http_header Retry-After)" 503/temporarily_unavailable/5 "slow database: a code exchange on a locked code → 503 with Retry-After"
is "$(snap)" "$before" "  rolled back: nothing added"
is "$(it_psql "SELECT consumed_at IS NULL FROM mcpgate.authorization_codes WHERE code_hash = $(hx "${c2[1]}")")" t "  the code is not used up"
gate_release
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
gate_hold "INSERT INTO mcpgate.rate_limits VALUES ('register:ip:127.0.0.1', date_bin(interval '1 hour', clock_timestamp(), timestamptz '2000-01-01 00:00:00+00'), date_bin(interval '1 hour', clock_timestamp(), timestamptz '2000-01-01 00:00:00+00') + interval '1 hour', 1)"
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","client_name":"t130-slow"}'
is "$HTTP_STATUS/$(http_json .error)/$(http_header Retry-After)" 503/temporarily_unavailable/5 "slow database: a registration waiting on its rate-limit row → 503 with Retry-After"
is "$(snap)/$(it_psql "SELECT count(*) FROM mcpgate.clients WHERE client_name = 't130-slow'")" "$before/0" "  rolled back: no client, no audit entry"
gate_release
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
http POST /mcp/token --data "$(refresh_form "$SRT")"
is "$HTTP_STATUS" 200 "the lock released: the same refresh token now rotates (200)"
http POST /mcp/token --data "$(grant_form "${c2[1]}")"
is "$HTTP_STATUS" 200 "  and the same code is exchanged (200)"
it_config db_statement_timeout=30000

# ============================================================================
# 3. A FastCGI process killed in the middle of a request
# ============================================================================
read -r -a c3 <<<"$(codes 1)"
before=$(snap)
gate_hold "SELECT 1 FROM mcpgate.authorization_codes WHERE code_hash = $(hx "${c3[0]}") FOR UPDATE"
curl -s --noproxy '*' --max-time 20 -D "$W/kill.h" -o "$W/kill.b" -w '%{http_code}' \
    "$B/mcp/token" --data "$(grant_form "${c3[0]}")" >"$W/kill.s" 2>/dev/null &
bg=$!
wait_sql "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'mcpgate-token' AND wait_event_type = 'Lock'" ||
	diag "the code exchange did not reach the lock"
victim=$(grep -o 'mcpgate-token\[[0-9]*\]: req [0-9]*: debug: POST /mcp/token ' "$LOG" | tail -n 1 | sed 's/^[^[]*\[\([0-9]*\)\].*/\1/')
pids=$(fe_pids token)
like " $pids " " $victim " "SIGKILL: the token process serving a blocked code exchange is found (pid ${victim:-?})"
kill -KILL "$victim" 2>/dev/null
wait "$bg"
st=$(cat "$W/kill.s")
like "$st" '^5[0-9][0-9]$' "  the front end answers that request with an error ($st)"
is "$(jq -r '.access_token // empty' "$W/kill.b" 2>/dev/null)" "" "  and no token"
# PostgreSQL notices the lost client while the statement waits
# (client_connection_check_interval) and rolls the grant back.
wait_sql "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'mcpgate-token' AND wait_event_type = 'Lock'" ||
	diag "the orphaned statement still waits"
gate_release
it_sleep 0.5
is "$(snap)" "$before" "  no half-written grant: no token, family or audit entry"
is "$(it_psql "SELECT consumed_at IS NULL FROM mcpgate.authorization_codes WHERE code_hash = $(hx "${c3[0]}")")" t \
    "  and the code was not used up"
seen=''
for _ in $(seq 30); do
	http POST /mcp/token --data "$(grant_form "${c3[0]}")"
	seen="$seen $HTTP_STATUS"
	[ "$HTTP_STATUS" = 200 ] && break
	sleep 0.1
done
like "${seen# }" '^200$' "  the next request (the client's retry of that code) succeeds: $seen"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens t JOIN mcpgate.authorization_codes c USING (family_id) WHERE c.code_hash = $(hx "${c3[0]}")")" 2 \
    "  one whole grant (an access and a refresh token)"
others=$(fe_pids token)
for p in $pids; do [ "$p" = "$victim" ] && continue; [[ " $others " == *" $p "* ]] || others=MISSING; done
isnt "$others" MISSING "  the other token processes were not touched"

# ============================================================================
# 4. A write that fails (a test-only trigger: check_violation for a marked client)
# ============================================================================
BAD=$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","client_name":"t130 marked"}')
read -r -a c4 <<<"$(codes 3 "$BAD")"
pair "${c4[0]}" "$BAD"; BRT=$RT
[[ $BRT =~ ^[A-Za-z0-9_-]{43}$ ]] || bail_out "no refresh token for the marked client"
it_psql "CREATE FUNCTION public.t130_fail() RETURNS trigger LANGUAGE plpgsql AS \$\$
  BEGIN
    IF TG_TABLE_NAME = 'clients' THEN
      IF NEW.client_name = 't130 fail' THEN
        RAISE EXCEPTION 't130 injected failure' USING ERRCODE = 'check_violation';
      END IF;
    ELSIF NEW.client_id = '$BAD' THEN
      RAISE EXCEPTION 't130 injected failure' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END \$\$;
  CREATE TRIGGER t130_fail BEFORE INSERT ON mcpgate.tokens FOR EACH ROW EXECUTE FUNCTION public.t130_fail();
  CREATE TRIGGER t130_fail BEFORE INSERT ON mcpgate.clients FOR EACH ROW EXECUTE FUNCTION public.t130_fail();
  CREATE TRIGGER t130_fail BEFORE INSERT ON mcpgate.authorization_codes FOR EACH ROW EXECUTE FUNCTION public.t130_fail();" >/dev/null ||
	bail_out "could not create the failing trigger"
before=$(snap)
failcheck() {	# failcheck WHAT -- the clean JSON 500
	is "$HTTP_STATUS/$(http_json .error)" 500/server_error "$1 → 500 server_error"
	like "$(http_header Content-Type)" '^application/json' "  a JSON answer"
	unlike "$(cat "$HTTP_BODY")" "$DETAIL" "  without the database's words"
}
http POST /mcp/token --data "$(grant_form "${c4[1]}" "$BAD")"
failcheck "failing write: a code exchange whose token insert fails"
is "$(http_header Cache-Control)" no-store "  TK-02: no-store"
is "$(snap)" "$before" "  nothing partial: no token, family or audit entry"
is "$(it_psql "SELECT consumed_at IS NULL FROM mcpgate.authorization_codes WHERE code_hash = $(hx "${c4[1]}")")" t "  the code is not used up"
http POST /mcp/token --data "$(refresh_form "$BRT" "$BAD")"
failcheck "failing write: a refresh whose insert fails"
is "$(snap)/$(it_psql "SELECT rotated_at IS NULL FROM mcpgate.tokens WHERE token_hash = $(hx "$BRT")")" "$before/t" "  nothing partial: the refresh token is not rotated"
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","client_name":"t130 fail"}'
failcheck "failing write: a registration whose insert fails"
is "$(snap)" "$before" "  nothing partial: no client, no audit entry"
# consent: the code insert fails
JAR=$W/jar
q="/mcp/authorize?response_type=code&client_id=$BAD&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=s"
http GET "$q" -c "$JAR" -b "$JAR"
http POST /mcp/authorize -c "$JAR" -b "$JAR" --data "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 200 "failing write: sign-in, then the consent page"
consents=$(it_psql "SELECT count(*) || '/' || (SELECT count(*) FROM mcpgate.authorization_codes) FROM mcpgate.consents")
http POST /mcp/authorize -c "$JAR" -b "$JAR" --data "$(it_form_fields "$HTTP_BODY")&decision=approve"
is "$HTTP_STATUS/$(http_header Location)" 500/ "  approving when the code cannot be stored → 500, no redirect"
like "$(http_header Content-Type)" '^text/html' "  the error page"
unlike "$(cat "$HTTP_BODY")" "$DETAIL" "  without the database's words"
is "$(it_psql "SELECT count(*) || '/' || (SELECT count(*) FROM mcpgate.authorization_codes) FROM mcpgate.consents")" "$consents" \
    "  nothing partial: neither the consent nor a code is stored"
it_psql "DROP TRIGGER t130_fail ON mcpgate.tokens; DROP TRIGGER t130_fail ON mcpgate.clients; DROP TRIGGER t130_fail ON mcpgate.authorization_codes" >/dev/null
http POST /mcp/token --data "$(grant_form "${c4[1]}" "$BAD")"
is "$HTTP_STATUS" 200 "the fault removed: the same code is exchanged (200)"
http POST /mcp/token --data "$(refresh_form "$BRT" "$BAD")"
is "$HTTP_STATUS" 200 "  and the same refresh token rotates (200): the processes serve on"
done_testing
