#!/bin/bash
# t60-install.t -- make install: the programs into a configurable cgi-bin
# directory, the SQL and configuration files under datadir; and make install
# over a running installation (deploy README requirement 8): each program is
# copied to a temporary name and renamed into place, so running FastCGI
# processes are not disturbed ("Text file busy") and nobody ever executes a
# half-written file.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd make
it_db t60
it_lighttpd
INST=$IT_DIR/inst
CGI=$IT_DIR/cgi-bin
mk() { make -s -C "$top_builddir" "$@" prefix="$INST" cgibindir="$CGI" >"$IT_DIR/make.out" 2>&1; }

http GET /mcp/health; http GET /.well-known/oauth-authorization-server
is "$HTTP_STATUS" 200 "the installation is serving"
pids=$(pgrep -f "$CGI/" | sort | tr '\n' ' ')
isnt "$pids" "" "its FastCGI processes are running"
ino_before=$(stat -c %i "$CGI/health")

mk install
rc=$?
ok $rc "make install over the running installation succeeds"
[ $rc = 0 ] || diag "$(cat "$IT_DIR/make.out")"
unlike "$(cat "$IT_DIR/make.out")" "Text file busy" "  no 'Text file busy'"
isnt "$(stat -c %i "$CGI/health")" "$ino_before" "  the program was replaced by a rename (new inode)"
is "$(find "$CGI" -name '.*.new.*' | wc -l)" 0 "  no temporary files left behind"
for p in well-known health; do
	ok "$([ -x "$CGI/$p" ]; echo $?)" "  $p installed executable in cgibindir"
done
http GET /mcp/health
is "$HTTP_STATUS" 200 "requests keep working after the install"
is "$(pgrep -f "$CGI/" | sort | tr '\n' ' ')" "$pids" "  served by the processes that were running"

# The old processes end; the front end starts the new binary.
pkill -f "$CGI/health"
sleep 0.5
http GET /mcp/health
is "$HTTP_STATUS" 200 "after the old processes end, the new binary serves"

for f in sql/install.sql sql/schema.sql sql/upgrade.sql sql/demo.sql sql/migrations/README.md \
    conf/mcpgate.conf.example conf/apache/mcpgate.conf conf/lighttpd/mcpgate.conf; do
	ok "$([ -f "$INST/share/mcpgate/$f" ]; echo $?)" "datadir has $f"
done
cmp -s "$INST/share/mcpgate/sql/schema.sql" "$top_srcdir/sql/schema.sql"
ok $? "  the installed schema is the source's"

mk uninstall
ok $? "make uninstall"
ok "$([ ! -e "$CGI/health" ] && [ ! -e "$CGI/well-known" ]; echo $?)" "  removes the programs"
ok "$([ ! -e "$INST/share/mcpgate/sql/schema.sql" ]; echo $?)" "  and the data files"
done_testing
