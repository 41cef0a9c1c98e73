#!/bin/bash
# t44-host-behaviour.t -- what hosts do to requests (issue 6), through the
# real front ends against real PostgreSQL: lighttpd (mod_fastcgi), Apache +
# mod_fcgid and Apache + mod_cgid (plain CGI). Each check names the deploy
# notes' finding it covers (/work/shared/deploy/README.md, "notes" below):
#  1. chunked request bodies (notes §0, §2.3: no CONTENT_LENGTH under mod_cgid)
#  2. bodies cut by the front end (notes §2.2: mod_fcgid + LimitRequestBody)
#     and clients that send less than their Content-Length
#  3. configuration only through a per-request variable (notes req. 6),
#     two configurations served by the same process
#  4. SIGTERM to a FastCGI process, idle and mid-request (notes req. 7;
#     mod_fcgid sends it on idle timeout and graceful restart, lighttpd on
#     shutdown), a token exchange in flight included
#  5. make install while a request is in flight (notes req. 8)
# The programs log at debug level what they received ("body: N bytes read,
# CONTENT_LENGTH X"); the checks read those lines.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd apache fcgid jq perl make
IT_HTTP_TIMEOUT=20
it_db t44
it_user demo 'demo password 1'
it_config log_level=debug login_limit_user=1000 login_limit_ip=1000 \
    register_limit=1000 db_statement_timeout=30000
CB=https://client.example/cb
AS=/.well-known/oauth-authorization-server
CGI=$IT_DIR/cgi-bin
PSQL=$(_stack_pg_bindir)/psql

# A tool that waits for the test: it takes advisory lock 44, which the test
# holds while it does something to the process serving the request; then it
# echoes its text, padded with pad bytes (a large answer).
it_psql "CREATE FUNCTION public.t44_gate(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE plpgsql AS \$\$
  BEGIN PERFORM pg_advisory_xact_lock(44);
  RETURN jsonb_build_object('echo', args->>'text', 'pad', repeat('x', coalesce((args->>'pad')::int, 0))); END \$\$" >/dev/null ||
	bail_out "could not create the gate function"
it_psql "INSERT INTO mcpgate.tools (name, title, description, input_schema, output_schema, annotations, function)
  VALUES ('t44_gate', 'Gate', 'Waits for advisory lock 44, then echoes its text.',
  '{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":100},\"pad\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":2000000}},\"required\":[\"text\"]}',
  '{\"type\":\"object\",\"properties\":{\"echo\":{\"type\":\"string\"}},\"required\":[\"echo\"]}',
  '{\"readOnlyHint\":true}', 'public.t44_gate(jsonb,jsonb)')" >/dev/null ||
	bail_out "could not add the gate tool"

# Tenant B: a second configuration file and database, served by the same
# Apache + mod_fcgid programs for requests with Host: tenant-b.example.
DB_B=$(printf '%s_b' "$IT_DB" | cut -c1-63)
stack_db_create "$DB_B" "$IT_SQLDIR" >"$IT_DIR/db-b.log" 2>&1 || bail_out "could not create $DB_B"
[ "$IT_PG_SHARED" = 1 ] && it_at_exit "\"$(_stack_pg_bindir)/dropdb\" --if-exists --force '$DB_B' >/dev/null 2>&1"
CONF_B=$IT_DIR/tenant-b.conf
stack_write_config "$CONF_B" https://tenant-b.example \
    "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB_B" log_level=debug register_limit=1000 ||
	bail_out "could not write $CONF_B"

# ---- the front ends --------------------------------------------------------------
it_lighttpd
L=$IT_URL LP=$IT_PORT LLOG=$IT_FE_DIR/lighttpd-stderr.log LERR=$IT_FE_DIR/lighttpd-error.log
LSID=$IT_FE_DIR/lighttpd.sid
# mod_fcgid: a host's LimitRequestBody 100 (applied to requests that carry
# X-T44-Limit, so that the login pages stay usable), and tenant B's config.
STACK_APACHE_LOGLEVEL='warn fcgid:info' STACK_APACHE_EXTRA="
  <If \"%{HTTP:X-T44-Limit} == '100'\">
    LimitRequestBody 100
  </If>
  <If \"%{HTTP_HOST} == 'tenant-b.example'\">
    SetEnv MCPGATE_CONFIG \"$CONF_B\"
  </If>" it_apache fcgid
F=$IT_URL FP=$IT_PORT FLOG=$IT_FE_DIR/apache-error.log FSID=$IT_FE_DIR/apache.sid
it_apache cgi
C=$IT_URL CP=$IT_PORT CLOG=$IT_FE_DIR/apache-error.log

# ---- helpers -----------------------------------------------------------------------
# fe_pids SIDFILE PROGRAM -- the running processes of PROGRAM under one front end
fe_pids() { pgrep -s "$(cat "$1")" -f "/cgi-bin/$2\$" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
# running PID -- alive and not a zombie (the front end reaps its children late)
running() { local s; [ -n "$1" ] && s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ "$s" != Z ] && [ "$s" != X ]; }
# wait_stopped SECONDS PID... -- until none of the PIDs runs
wait_stopped() {
	local t=$(( $1 * 10 )) p any
	shift
	while [ "$t" -gt 0 ]; do
		any=0
		for p in "$@"; do running "$p" && any=1; done
		[ "$any" = 0 ] && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}
# served_pid LOG PROGRAM METHOD PATH -- the pid of the last request logged
served_pid() {
	grep -o "mcpgate-$2\[[0-9]*\]: req [0-9]*: debug: $3 $4 " "$1" | tail -n 1 | sed 's/^[^[]*\[\([0-9]*\)\].*/\1/'
}
# body_line LOG PROGRAM -- what the program last said it received
body_line() { grep "mcpgate-$2\[[0-9]*\]: req [0-9]*: debug: body: " "$1" | tail -n 1 | sed 's/.*debug: //'; }
# count LOG REGEX
count() { grep -c -- "$2" "$1"; }
# wait_sql SQL -- until the query prints t (10 s)
wait_sql() {
	local i
	for i in $(seq 100); do
		[ "$(it_psql "$1" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}
# gate_hold SQL -- run SQL in a transaction kept open (application_name
# t44-gate) until gate_release; gate_blocked waits until a request waits
# for one of its locks.
GATE_PID=
gate_hold() {
	PGAPPNAME=t44-gate "$PSQL" -X -q -d "$IT_DB" -v ON_ERROR_STOP=1 \
	    -c 'BEGIN' -c "$1" -c 'SELECT pg_sleep(120)' >"$IT_DIR/gate.out" 2>&1 &
	GATE_PID=$!
	wait_sql "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 't44-gate' AND wait_event = 'PgSleep' AND datname = current_database()" ||
		diag "the gate transaction did not start: $(cat "$IT_DIR/gate.out")"
}
gate_blocked() { wait_sql "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"; }
gate_release() {
	[ -n "$GATE_PID" ] || return 0
	it_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 't44-gate' AND datname = current_database()" >/dev/null
	wait "$GATE_PID" 2>/dev/null
	GATE_PID=
}
it_at_exit 'gate_release'
# bg_req NAME URL CURL-ARGS... -- a request in the background: NAME.s gets
# "status bytes", NAME.h the headers, NAME.b the body; BG is curl's pid.
bg_req() {
	local n=$1 url=$2
	shift 2
	curl -sS --noproxy '*' --max-time 30 -D "$IT_DIR/$n.h" -o "$IT_DIR/$n.b" \
	    -w '%{http_code} %{size_download}' "$@" "$url" >"$IT_DIR/$n.s" 2>&1 &
	BG=$!
}
bg_header() { tr -d '\r' <"$IT_DIR/$1.h" | sed -n "s/^$2: *//Ip" | tail -n 1; }
# until_served TOKEN -- POST ping until it is answered 200 (3 s); prints
# the statuses seen. A front end that noticed a program's exit restarts it
# after a moment; lighttpd answers 503 meanwhile (it respawns a process it
# has reaped only on its next one-second tick, gw_restart_dead_proc).
until_served() {
	local seen='' i
	for i in $(seq 30); do
		mcp_post "$1" "$PING"
		seen="$seen $HTTP_STATUS"
		[ "$HTTP_STATUS" = 200 ] && break
		sleep 0.1
	done
	printf '%s' "${seen# }"
}
mcp_post() {	# mcp_post TOKEN JSON [curl args] -- on $IT_URL
	local t=$1 b=$2
	shift 2
	http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $t" \
	    -H 'MCP-Protocol-Version: 2025-06-18' "$@" --data-binary "$b"
}
grant() { printf 'grant_type=authorization_code&code=%s&client_id=%s&code_verifier=%s&redirect_uri=%s' \
    "$1" "$CID" "$IT_VERIFIER" "$(it_urlencode "$CB")"; }
code_unused() { it_psql "SELECT consumed_at IS NULL FROM mcpgate.authorization_codes WHERE code_hash = sha256(convert_to('$1', 'UTF8'))"; }
PING='{"jsonrpc":"2.0","id":1,"method":"ping"}'
LIST='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
gate_call() {	# gate_call TEXT [PAD]
	printf '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"t44_gate","arguments":{"text":"%s","pad":%d}}}' "$1" "${2:-0}"
}

# A client (public, shared by the front ends: one database) and a token
# through each front end (each has its own issuer, hence audience).
IT_URL=$L
http POST /mcp/register -H 'Content-Type: application/json' \
    --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
CID=$(http_json .client_id)
[ -n "$CID" ] && [ "$CID" != null ] || bail_out "registration failed: $(cat "$HTTP_BODY")"
declare -A TOK URL LOG
URL=([lighttpd]=$L [fcgid]=$F [cgid]=$C)
LOG=([lighttpd]=$LLOG [fcgid]=$FLOG [cgid]=$CLOG)
for fe in lighttpd fcgid cgid; do
	IT_URL=${URL[$fe]}
	TOK[$fe]=$(it_token "$CID" "$CB" demo 'demo password 1')
	[[ ${TOK[$fe]} =~ ^[A-Za-z0-9_-]{43}$ ]] || bail_out "no token through $fe"
done

# ---- 1. chunked request bodies ------------------------------------------------------
# notes §0 "chunked request body": lighttpd and mod_fcgid buffer it and set
# CONTENT_LENGTH; mod_cgid passes it without CONTENT_LENGTH, read to EOF.
declare -A CLWANT=([lighttpd]=len [fcgid]=len [cgid]=absent)
for fe in lighttpd fcgid cgid; do
	IT_URL=${URL[$fe]}
	mcp_post "${TOK[$fe]}" "$LIST" -H 'Transfer-Encoding: chunked'
	is "$HTTP_STATUS/$(http_json '[.result.tools[].name] | index("search") != null')" 200/true \
	    "$fe: chunked POST /mcp (tools/list, no Content-Length) → 200 with the tool list (notes §0)"
	want=${CLWANT[$fe]/len/${#LIST}}
	is "$(body_line "${LOG[$fe]}" mcp)" "body: ${#LIST} bytes read, CONTENT_LENGTH $want" \
	    "  the program received all ${#LIST} bytes, CONTENT_LENGTH $want"
	code=$(it_code "$CID" "$CB" demo 'demo password 1')
	form=$(grant "$code")
	http POST /mcp/token -H 'Transfer-Encoding: chunked' --data "$form"
	like "$HTTP_STATUS $(http_json .access_token)" '^200 [A-Za-z0-9_-]{43}$' \
	    "$fe: chunked grant request to /mcp/token → 200 with an access token"
	want=${CLWANT[$fe]/len/${#form}}
	is "$(body_line "${LOG[$fe]}" token)" "body: ${#form} bytes read, CONTENT_LENGTH $want" \
	    "  the token program received the whole form"
done

# ---- 2. bodies cut by the front end, clients that stop early ----------------------------
# notes §2.2 pitfall: mod_fcgid + LimitRequestBody passes an oversized body
# empty (CONTENT_LENGTH 0) or, when chunked, cut with a CONTENT_LENGTH that
# matches the cut: nothing tells the program.
IT_URL=$F
big=$(printf '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"pad":"%0300d"}}}' 0)
mcp_post "${TOK[fcgid]}" "$big" -H 'X-T44-Limit: 100'
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request \
    "fcgid + LimitRequestBody 100: a ${#big}-byte body → 400, not a half-parsed request (notes §2.2)"
is "$(body_line "$FLOG" mcp)" "body: 0 bytes read, CONTENT_LENGTH 0" \
    "  the program got CONTENT_LENGTH 0 and no body (the silent truncation)"
big=$(printf '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"pad":"%020000d"}}}' 0)
mcp_post "${TOK[fcgid]}" "$big" -H 'X-T44-Limit: 100' -H 'Transfer-Encoding: chunked'
is "$HTTP_STATUS/$(http_json .error.code)" 400/-32700 \
    "fcgid + LimitRequestBody 100, chunked ${#big} bytes → 400 parse error (notes §2.2)"
read -r got cl <<<"$(body_line "$FLOG" mcp | sed -n 's/^body: \([0-9]*\) bytes read, CONTENT_LENGTH \([0-9]*\)$/\1 \2/p')"
ok "$([ -n "$got" ] && [ "$got" -lt "${#big}" ] && [ "$got" = "$cl" ]; echo $?)" \
    "  the program got $got of ${#big} bytes, with CONTENT_LENGTH $cl: a cut nothing signals"
# The same cut on a form: the fields after the cut are missing, so the
# request fails validation; the code is not used up.
code=$(it_code "$CID" "$CB" demo 'demo password 1')
form="grant_type=authorization_code&code=$code&client_id=$CID&redirect_uri=$(it_urlencode "$CB")&pad=$(printf '%012000d' 0)&code_verifier=$IT_VERIFIER"
http POST /mcp/token -H 'X-T44-Limit: 100' -H 'Transfer-Encoding: chunked' --data "$form"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request \
    "fcgid + LimitRequestBody 100: a chunked grant cut before code_verifier → 400 invalid_request"
got=$(body_line "$FLOG" token | sed -n 's/^body: \([0-9]*\) bytes read.*/\1/p')
ok "$([ -n "$got" ] && [ "$got" -lt "${#form}" ]; echo $?)" "  the token program got $got of ${#form} bytes"
is "$(code_unused "$code")" t "  the code was not used up"
http POST /mcp/token --data "$(grant "$code")"
is "$HTTP_STATUS" 200 "  and the client's retry without the limit redeems it"

# A client that sends 23 of the 200 bytes it announced, then stops sending
# (half-close) and waits for an answer.
cat >"$IT_DIR/halfbody.pl" <<'EOF'
use strict; use warnings; use IO::Socket::INET;
my ($port, $path, $cl, $send, @h) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die "connect: $!";
print $s "POST $path HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n", map({ "$_\r\n" } @h),
    "Content-Length: $cl\r\nConnection: close\r\n\r\n$send";
shutdown($s, 1);
my $resp = '';
my $ok = eval {
	local $SIG{ALRM} = sub { die "timeout\n" };
	alarm 15;
	while (sysread($s, my $b, 4096)) { $resp .= $b }
	alarm 0;
	1;
};
my ($st) = $resp =~ m{\AHTTP/1\.\d (\d{3})};
print !$ok ? "timeout\n" : defined $st ? "$st\n" : "dropped\n";
EOF
declare -A PORT=([lighttpd]=$LP [fcgid]=$FP [cgid]=$CP) SID=([lighttpd]=$LSID [fcgid]=$FSID)
for fe in lighttpd fcgid cgid; do
	IT_URL=${URL[$fe]}
	mcp_post "${TOK[$fe]}" "$PING" >/dev/null    # a process to watch
	pids=''; [ "$fe" != cgid ] && pids=$(fe_pids "${SID[$fe]}" mcp)
	n200=$(count "${LOG[$fe]}" 'info: POST /mcp -> 200')
	st=$(perl "$IT_DIR/halfbody.pl" "${PORT[$fe]}" /mcp 200 '{"jsonrpc":"2.0","id":1,' \
	    'Content-Type: application/json' "Authorization: Bearer ${TOK[$fe]}" 'MCP-Protocol-Version: 2025-06-18')
	like "$st" '^(400|500|dropped)$' \
	    "$fe: a client that sends 23 of 200 bytes and stops → $st (400, the front end's error or dropped; never 200, never a hang)"
	sleep 0.2
	is "$(count "${LOG[$fe]}" 'info: POST /mcp -> 200')" "$n200" "  no program answered it 200"
	mcp_post "${TOK[$fe]}" "$PING"
	is "$HTTP_STATUS" 200 "  the next request → 200"
	if [ -n "$pids" ]; then
		is "$(fe_pids "${SID[$fe]}" mcp)" "$pids" "  the FastCGI processes survive (pids $pids)"
		like " $pids " " $(served_pid "${LOG[$fe]}" mcp POST /mcp) " "  and one of them served the next request"
	fi
done

# ---- 3. configuration per request only, two configurations in one process ------------
# notes req. 6: libfcgi replaces environ per request; the processes are
# started without MCPGATE_CONFIG and get it with each request (SetEnv).
IT_URL=$F
for i in 1 2; do
	http GET $AS
	is "$(http_json .issuer)" "$F" "fcgid, request $((2 * i - 1)): the vhost's configuration (issuer $F)"
	http GET $AS -H 'Host: tenant-b.example'
	is "$(http_json .issuer)" https://tenant-b.example "fcgid, request $((2 * i)), Host: tenant-b.example: tenant B's configuration"
done
http GET $AS
is "$(http_json .issuer)" "$F" "  and back: nothing of tenant B's configuration leaks into the next request"
both=$(awk -v a="$IT_DIR/apache-fcgid/mcpgate.conf" -v b="$CONF_B" '
	match($0, /^mcpgate-well-known\[[0-9]+\]/) {
		p = substr($0, 20, RLENGTH - 20)
		if (index($0, "configuration loaded from " a)) sa[p] = 1
		if (index($0, "configuration loaded from " b)) sb[p] = 1
	}
	END { for (p in sa) if (p in sb) print p }' "$FLOG" | head -n 1)
isnt "$both" "" "  one process (${both:-none}) served both configurations in turn"
ok "$([ -r "/proc/$both/environ" ] && ! tr '\0' '\n' <"/proc/$both/environ" | grep -q '^MCPGATE_CONFIG='; echo $?)" \
    "  a process started without MCPGATE_CONFIG in its environment (notes req. 6)"
declare -a ca cb
for i in 1 2; do
	http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
	ca+=("$(http_json .client_id)")
	http POST /mcp/register -H 'Host: tenant-b.example' -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
	cb+=("$(http_json .client_id)")
done
in_db() { "$PSQL" -X -q -A -t -d "$1" -c "SELECT count(*) FROM mcpgate.clients WHERE client_id IN ('$2', '$3')"; }
is "$(in_db "$IT_DB" "${ca[@]}")/$(in_db "$DB_B" "${ca[@]}")" 2/0 "registrations alternating A, B, A, B: A's clients are in A's database only"
is "$(in_db "$DB_B" "${cb[@]}")/$(in_db "$IT_DB" "${cb[@]}")" 2/0 "  B's clients in B's database only (the connection follows the configuration)"

# ---- 4. SIGTERM ---------------------------------------------------------------------------
# notes req. 7: mod_fcgid stops idle processes and restarts gracefully with
# SIGTERM, lighttpd on shutdown. An idle process exits 0 at once; one in the
# middle of a request finishes it, then exits (app.c).
IT_URL=$L
p=$(fe_pids "$LSID" mcp | cut -d' ' -f1)
read -r blk ign cgt < <(awk '/^SigBlk/ { b = $2 } /^SigIgn/ { i = $2 } /^SigCgt/ { c = $2 } END { print b, i, c }' "/proc/$p/status")
# (SIGPIPE: app.c ignores it; Debian's libfcgi 2.4.2 then puts its own
# do-nothing handler over SIG_IGN. Either way a write to a closed
# connection fails with EPIPE instead of killing the process.)
is "$(( (0x$ign | 0x$cgt) >> 12 & 1 ))/$(( 0x$cgt >> 14 & 1 ))/$(( 0x$blk >> 14 & 1 ))" 1/1/0 \
    "an idle FastCGI process survives SIGPIPE, catches SIGTERM, and does not block it while waiting"
fcgid_killed=()
for fe in lighttpd fcgid; do
	IT_URL=${URL[$fe]}
	mcp_post "${TOK[$fe]}" "$PING" >/dev/null
	pids=$(fe_pids "${SID[$fe]}" mcp)
	exits=$(count "$LERR" 'child exited: 0 .*/mcp\.sock')
	kill -TERM $pids
	wait_stopped 2 $pids
	ok $? "$fe: SIGTERM to the idle mcp processes ($pids): they exit within 2 s (notes req. 7)"
	[ "$fe" = fcgid ] && fcgid_killed+=($pids)
	seen=$(until_served "${TOK[$fe]}")
	like "$seen" '^(503 )*200$' "  the next requests are served ($seen: at most a 503 while the front end restarts it)"
	mcp_post "${TOK[$fe]}" "$LIST"
	is "$HTTP_STATUS/$(http_json '.result.tools | length > 0')" 200/true "  in full"
	new=$(served_pid "${LOG[$fe]}" mcp POST /mcp)
	unlike " $pids " " $new " "  by a new process ($new)"
	if [ "$fe" = lighttpd ]; then
		for i in $(seq 30); do [ "$(count "$LERR" 'child exited: 0 .*/mcp\.sock')" -ge $((exits + $(wc -w <<<"$pids"))) ] && break; sleep 0.1; done
		is "$(count "$LERR" 'child exited: 0 .*/mcp\.sock')" "$((exits + $(wc -w <<<"$pids")))" "  lighttpd saw each exit with status 0"
	fi

	# mid-request: the request waits on the gate while the signal comes
	gate_hold 'SELECT pg_advisory_xact_lock(44)'
	txt="t44-$fe-$RANDOM"
	bg_req "mid-$fe" "${URL[$fe]}/mcp" -H 'Content-Type: application/json' -H "Authorization: Bearer ${TOK[$fe]}" \
	    -H 'MCP-Protocol-Version: 2025-06-18' --data-binary "$(gate_call "$txt")"
	gate_blocked || diag "$fe: the request did not reach the gate"
	pids=$(fe_pids "${SID[$fe]}" mcp)
	busy=$(served_pid "${LOG[$fe]}" mcp POST /mcp)
	exits=$(count "$LERR" 'child exited: 0 .*/mcp\.sock')
	kill -TERM $pids
	it_sleep 0.5
	running "$busy"
	ok $? "$fe: SIGTERM mid-request: the process serving it ($busy) keeps running"
	idle=$(for p in $pids; do [ "$p" != "$busy" ] && running "$p" && echo "$p"; done)
	is "$idle" "" "  while any idle ones (of $pids) have exited"
	gate_release
	wait "$BG"
	read -r st size <"$IT_DIR/mid-$fe.s"
	is "$st/$(jq -r .result.structuredContent.echo "$IT_DIR/mid-$fe.b" 2>/dev/null)" "200/$txt" \
	    "  the request in flight completes: 200 with its own answer"
	is "$size" "$(bg_header "mid-$fe" Content-Length)" "  all of it ($size bytes, as Content-Length says)"
	wait_stopped 3 "$busy"
	ok $? "  then the process exits"
	[ "$fe" = fcgid ] && fcgid_killed+=($pids)
	if [ "$fe" = lighttpd ]; then
		for i in $(seq 30); do [ "$(count "$LERR" 'child exited: 0 .*/mcp\.sock')" -ge $((exits + $(wc -w <<<"$pids"))) ] && break; sleep 0.1; done
		is "$(count "$LERR" 'child exited: 0 .*/mcp\.sock')" "$((exits + $(wc -w <<<"$pids")))" "  with status 0 (lighttpd: child exited: 0)"
	fi
	seen=$(until_served "${TOK[$fe]}")
	like "$seen" '^(503 )*200$' "  the next requests are served by a new process ($seen: at most a 503 while the front end restarts it)"
	unlike " $pids " " $(served_pid "${LOG[$fe]}" mcp POST /mcp) " "  (a new pid)"
done

# SIGTERM while the program writes a large answer to a client that does not
# read yet (mod_fcgid with FcgidOutputBufferSize 0 passes it on as it comes,
# so the program's write() blocks). An interrupted write would cut the
# answer: the signal must wait until the request is done.
cat >"$IT_DIR/slowread.pl" <<'EOF'
use strict; use warnings; use IO::Socket::INET; use Socket;
my ($port, $go, $out, $body, @h) = @ARGV;
my $s = IO::Socket::INET->new(Proto => 'tcp') or die "socket: $!";
setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096) or die "SO_RCVBUF: $!";
connect($s, sockaddr_in($port, inet_aton('127.0.0.1'))) or die "connect: $!";
print $s "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n", map({ "$_\r\n" } @h),
    "Content-Length: ", length($body), "\r\nConnection: close\r\n\r\n$body";
for (1 .. 600) { last if -e $go; select(undef, undef, undef, 0.05) }
open(my $fh, '>', $out) or die "$out: $!";
binmode $fh;
local $SIG{ALRM} = sub { die "timeout\n" };
alarm 30;
while (sysread($s, my $b, 65536)) { print $fh $b }
EOF
IT_URL=$F
mcp_post "${TOK[fcgid]}" "$PING"
txt="t44-big-$RANDOM"
big=$(gate_call "$txt" 1990000)	# an answer of 3.98 MB (the limit is 4 MiB)
rm -f "$IT_DIR/go"
perl "$IT_DIR/slowread.pl" "$FP" "$IT_DIR/go" "$IT_DIR/big.out" "$big" \
    'Content-Type: application/json' "Authorization: Bearer ${TOK[fcgid]}" 'MCP-Protocol-Version: 2025-06-18' &
SLOW=$!
for i in $(seq 50); do
	req=$(grep -o "mcpgate-mcp\[[0-9]*\]: req [0-9]*: debug: body: ${#big} bytes" "$FLOG" | tail -n 1)
	[ -n "$req" ] && break
	sleep 0.1
done
busy=$(sed 's/^[^[]*\[\([0-9]*\)\].*/\1/' <<<"$req")
req=$(sed 's/.*: req \([0-9]*\):.*/\1/' <<<"$req")
it_sleep 1	# the tool answers at once: what is left is writing the answer
grep -q "mcpgate-mcp\[$busy\]: req $req: info: POST /mcp -> " "$FLOG"
is "$?/$(running "$busy"; echo $?)" 1/0 \
    "fcgid: a 3.98 MB answer to a client that does not read: the program (${busy:-?}, request ${req:-?}) is still writing it 1 s later"
[ "$(uname -m)" = x86_64 ] && diag "  (process $busy in system call $(cut -d' ' -f1 "/proc/$busy/syscall" 2>/dev/null); 1 is write)"
kill -TERM $(fe_pids "$FSID" mcp)
it_sleep 0.5
running "$busy"
ok $? "  SIGTERM meanwhile: it keeps writing"
touch "$IT_DIR/go"
wait "$SLOW"
BIGB=$IT_DIR/big.b perl -0777 -ne 'my ($h, $b) = /\A(.*?)\r\n\r\n(.*)\z/s or exit 1;
	my ($st) = $h =~ m{\AHTTP/1\.\d (\d+)}; my ($cl) = $h =~ /^Content-Length: (\d+)/mi;
	open(my $f, ">", $ENV{BIGB}) or die; print $f $b; print "$st ", ($cl // "none"), " ", length($b), "\n"' \
    "$IT_DIR/big.out" >"$IT_DIR/big.s"
read -r st cl got <"$IT_DIR/big.s"
is "$st/$cl" "200/$got" "  the client gets all of it (200, $got bytes, as Content-Length says)"
is "$(jq -r '.result.structuredContent | "\(.echo) \(.pad | length)"' "$IT_DIR/big.b" 2>/dev/null)" "$txt 1990000" \
    "  and it is the whole, correct answer"
wait_stopped 3 "$busy"
ok $? "  then the process exits"
fcgid_killed+=("$busy")

# A token exchange in flight (lighttpd): code_redeem waits for the code's
# row, which the gate holds; SIGTERM comes meanwhile. The exchange must
# complete as a whole: code used, both tokens stored, the access token good.
IT_URL=$L
code=$(it_code "$CID" "$CB" demo 'demo password 1')
gate_hold 'SELECT code_hash FROM mcpgate.authorization_codes FOR UPDATE'
bg_req tok-mid "$L/mcp/token" --data "$(grant "$code")"
gate_blocked || diag "the token request did not reach the gate"
pids=$(fe_pids "$LSID" token)
busy=$(served_pid "$LLOG" token POST /mcp/token)
kill -TERM $pids
it_sleep 0.5
running "$busy"
ok $? "lighttpd: SIGTERM during a code exchange: the token process ($busy) keeps running"
gate_release
wait "$BG"
read -r st size <"$IT_DIR/tok-mid.s"
at=$(jq -r .access_token "$IT_DIR/tok-mid.b" 2>/dev/null)
rt=$(jq -r .refresh_token "$IT_DIR/tok-mid.b" 2>/dev/null)
like "$st $at $rt" '^200 [A-Za-z0-9_-]{43} [A-Za-z0-9_-]{43}$' "  the exchange completes: 200 with both tokens"
is "$(code_unused "$code")" f "  the code is used up"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE token_hash IN (sha256(convert_to('$at', 'UTF8')), sha256(convert_to('$rt', 'UTF8')))")" 2 \
    "  both tokens are stored (the transaction committed whole)"
wait_stopped 3 "$busy"
ok $? "  the process exits after answering"
mcp_post "$at" "$LIST"
is "$HTTP_STATUS" 200 "  the new access token works"

# ---- 5. make install while a request is in flight ----------------------------------------
# notes req. 8: programs are renamed into place. mod_fcgid keys its
# processes by file: the request in flight finishes on the old binary, the
# next one runs the new.
IT_URL=$F
gate_hold 'SELECT pg_advisory_xact_lock(44)'
txt="t44-install-$RANDOM"
bg_req inst "$F/mcp" -H 'Content-Type: application/json' -H "Authorization: Bearer ${TOK[fcgid]}" \
    -H 'MCP-Protocol-Version: 2025-06-18' --data-binary "$(gate_call "$txt")"
gate_blocked || diag "the request did not reach the gate"
old=$(served_pid "$FLOG" mcp POST /mcp)
ino=$(stat -c %i "$CGI/mcp")
make -s -C "$top_builddir" install prefix="$IT_DIR/inst" cgibindir="$CGI" >"$IT_DIR/make.out" 2>&1
rc=$?
ok $rc "make install over the running installation, a request in flight"
[ $rc = 0 ] || diag "$(tail -n 20 "$IT_DIR/make.out")"
isnt "$(stat -c %i "$CGI/mcp")" "$ino" "  mcp was replaced (new inode)"
kill -0 "$BG" 2>/dev/null
ok $? "  the request was still in flight when the install ended"
like "$(readlink "/proc/$old/exe")" ' \(deleted\)$' "  its process ($old) runs the replaced file"
gate_release
wait "$BG"
read -r st size <"$IT_DIR/inst.s"
is "$st/$(jq -r .result.structuredContent.echo "$IT_DIR/inst.b" 2>/dev/null)/$size" "200/$txt/$(bg_header inst Content-Length)" \
    "  the request in flight completes in full"
mcp_post "${TOK[fcgid]}" "$PING"
new=$(served_pid "$FLOG" mcp POST /mcp)
is "$HTTP_STATUS" 200 "the next request → 200"
is "$(stat -L -c %i "/proc/$new/exe" 2>/dev/null)" "$(stat -c %i "$CGI/mcp")" "  run by the new binary (process $new)"

# mod_fcgid reaps its children on a timer: its exit lines come late.
for p in "${fcgid_killed[@]}"; do
	for i in $(seq 80); do grep -q "cgi-bin/mcp($p) exit(" "$FLOG" && break; sleep 0.1; done
	like "$(grep "cgi-bin/mcp($p) exit(" "$FLOG" | tail -n 1)" 'terminated by calling exit\(\), return code: 0$' \
	    "fcgid: process $p, sent SIGTERM, exited with status 0"
done
done_testing
