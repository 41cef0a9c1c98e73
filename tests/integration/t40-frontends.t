#!/bin/bash
# t40-frontends.t -- the same programs behind Apache, from the shipped
# conf/apache/mcpgate.conf included unchanged: mod_fcgid (FastCGI, a process
# kept between requests) and mod_cgid (plain CGI, a process per request).
# Covers the deploy README's pitfalls for Apache: the Authorization header
# reaches the program (CGIPassAuth, DEP-01), routing on REQUEST_URI while
# SCRIPT_NAME differs, HEAD, CORS, and configuration by SetEnv only.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres apache fcgid jq
it_db t40
it_config log_level=debug
AS=/.well-known/oauth-authorization-server
PRM=/.well-known/oauth-protected-resource

for mode in fcgid cgi; do
	it_apache $mode
	B=$IT_URL
	LOG=$IT_FE_DIR/apache-error.log
	diag "apache $mode answered after ${IT_START_SECONDS}s"

	http GET $AS
	is "$HTTP_STATUS" 200 "$mode: $AS 200"
	is "$(http_json .issuer)" "$B" "$mode: issuer from the configuration SetEnv names"
	is "$(http_json .token_endpoint)" "$B/mcp/token" "$mode: token_endpoint"
	http GET "$PRM/mcp"
	is "$(http_json .resource)" "$B/mcp" "$mode: PRM at the path-suffixed URL (PRM-02)"
	http GET "$PRM"
	is "$(http_json .resource)" "$B/mcp" "$mode: PRM at the root (PRM-03)"
	http HEAD $AS
	is "$HTTP_STATUS" 200 "$mode: HEAD 200"
	is "$(wc -c <"$HTTP_BODY" | tr -d ' ')" 0 "$mode: HEAD has no body"
	http OPTIONS "$PRM/mcp" -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: GET'
	is "$HTTP_STATUS" 204 "$mode: CORS preflight 204 (DEP-03)"
	is "$(http_header Access-Control-Allow-Origin)" '*' "$mode: Allow-Origin *"
	for p in "${AS}x" "$PRM/mcpx" /mcpx /mcp/healthx; do
		http GET "$p"
		is "$HTTP_STATUS" 404 "$mode: $p not routed"
	done
	http GET /mcp/health
	is "$HTTP_STATUS" 200 "$mode: health 200 (PostgreSQL through the socket, as www-data when root)"

	# DEP-01: the shipped configuration passes Authorization to the program.
	tok="Bearer t40-$mode-$RANDOM$RANDOM"
	http GET "$AS?authcheck=$mode" -H "Authorization: $tok"
	is "$HTTP_STATUS" 200 "$mode: a request with Authorization"
	grep -q "GET $AS authorization=Bearer" "$LOG"
	ok $? "$mode: DEP-01: the program received the Authorization header (CGIPassAuth)"
	grep -q "${tok#Bearer }" "$LOG"
	ok "$((! $?))" "$mode: the token itself is not in the error log"
	http GET "$AS" -u "user:pass"
	grep -q "GET $AS authorization=Basic" "$LOG"
	ok $? "$mode: Basic credentials arrive too (client_secret_basic)"

	# FastCGI keeps its process; CGI starts one per request.
	for i in 1 2 3; do http GET $AS; done
	npids=$(grep -o "mcpgate-well-known\[[0-9]*\]" "$LOG" | sort -u | wc -l)
	if [ $mode = fcgid ]; then
		ok "$([ "$npids" -le 2 ]; echo $?)" "fcgid: the program runs as FastCGI (few processes, reused: $npids)"
	else
		ok "$([ "$npids" -ge 6 ]; echo $?)" "cgi: the same program runs as plain CGI (a process per request: $npids)"
	fi
done
done_testing
