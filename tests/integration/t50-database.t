#!/bin/bash
# t50-database.t -- PostgreSQL stopped and started again under running
# FastCGI programs (lighttpd): while it is down, requests that need it get
# 503 with Retry-After and a JSON error, quickly, and no process dies; once
# it is back, the very next request succeeds, from the same processes
# (db.c reconnects and retries reads).  The metadata, which needs no
# database, is served throughout.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq
unset MCPGATE_TEST_PGHOST	# this test stops its cluster: never a shared one
it_db t50
it_lighttpd
AS=/.well-known/oauth-authorization-server

# Two requests so that both FastCGI processes (max-procs 2) may connect.
http GET /mcp/health; http GET /mcp/health
is "$HTTP_STATUS" 200 "health 200 with PostgreSQL up"
pids=$(pgrep -f "$IT_DIR/cgi-bin/health" | sort | tr '\n' ' ')
isnt "$pids" "" "the health program runs as FastCGI processes"

it_pg_stop || bail_out "could not stop PostgreSQL"
for i in 1 2 3 4; do
	t0=$(date +%s%N)
	http GET /mcp/health
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	is "$HTTP_STATUS" 503 "PostgreSQL down, request $i: 503"
done
is "$(http_header Retry-After)" 5 "  with Retry-After"
is "$(http_json .error)" temporarily_unavailable "  and a JSON error"
like "$(http_header Content-Type)" '^application/json' "  application/json"
unlike "$(cat "$HTTP_BODY")" 'socket|PGSQL|connection to server' "  no database detail in the answer"
ok "$([ "$ms" -lt 5000 ]; echo $?)" "  answered without hanging (${ms} ms)"
http GET $AS
is "$HTTP_STATUS" 200 "the metadata is still served (it needs no database)"
is "$(pgrep -f "$IT_DIR/cgi-bin/health" | sort | tr '\n' ' ')" "$pids" "no process died or was restarted"

it_pg_start || bail_out "could not start PostgreSQL again"
http GET /mcp/health
is "$HTTP_STATUS" 200 "PostgreSQL back: the very next request is 200"
for i in 1 2 3 4; do http GET /mcp/health; [ "$HTTP_STATUS" = 200 ] || break; done
is "$HTTP_STATUS" 200 "  and every request after it"
is "$(pgrep -f "$IT_DIR/cgi-bin/health" | sort | tr '\n' ' ')" "$pids" "  from the same processes (no program restarted)"

# A restart while connections are idle: the old connections are dead, the
# first statement on each fails, and the statement is run again on a new one.
stack_pg_stop "$IT_PGDIR" && stack_pg_start "$IT_PGDIR" || bail_out "restart failed"
fails=0
for i in 1 2 3 4 5 6; do http GET /mcp/health; [ "$HTTP_STATUS" = 200 ] || fails=$((fails + 1)); done
is "$fails" 0 "after a restart between requests, no request fails (reconnect and retry)"
grep -q "reconnected\|cannot connect" "$IT_FE_DIR"/lighttpd-*.log
ok $? "  the programs logged the outage"
done_testing
