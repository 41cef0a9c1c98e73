#!/bin/bash
# t75-pages-browser.t -- the authorization endpoint's pages in a real
# browser (headless Chromium driven by tests/browser/pages.mjs), on a
# desktop (1280x800) and a phone (390x844, 2x, mobile) viewport, with
# JavaScript off for the sign-in flow (the pages must need none):
#   login page -> wrong password -> sign in -> consent page -> Deny ->
#   consent again -> Allow -> back at the client with code, state and iss
#   (AZ-12, AZ-14) -> remembered consent; error pages (unknown client,
#   unregistered redirect URI: never a redirect, AZ-04); a hostile and a
#   very long client_name shown literally, with JavaScript on (S-16).
# Every page: the CSRF field (S-04), the framing headers (S-05, also
# checked with curl), mcpgate.css applied, no console errors, no CSP
# violations, nothing wider than the screen.
# Screenshots and the script's JSON are kept in
# $top_builddir/tests/artifacts/ (login-desktop.png, consent-phone.png, ...).
#
# Needs node, Chromium (Debian: apt-get install chromium; or
# MCPGATE_TEST_CHROMIUM=/path) and playwright-core in tests/browser/node_modules:
#   sh tests/browser/setup.sh
. "$top_srcdir/tests/integration/lib.sh"

BROWSER_DIR=$top_srcdir/tests/browser
CHROMIUM=${MCPGATE_TEST_CHROMIUM:-$(command -v chromium || true)}
SETUP_HINT="install Chromium (apt-get install chromium), then run sh tests/browser/setup.sh"
command -v node >/dev/null 2>&1 || skip_all "missing: node (Node.js >= 20); $SETUP_HINT"
{ [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; } || skip_all "missing: chromium; $SETUP_HINT"
[ -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ] ||
	skip_all "missing: tests/browser/node_modules (run: sh tests/browser/setup.sh)"
it_require postgres lighttpd jq

ART=$top_builddir/tests/artifacts
mkdir -p "$ART" || bail_out "cannot create $ART"
rm -f "$ART"/t75-pages.json "$ART"/failed-*-desktop.png "$ART"/failed-*-phone.png

PASS='browser pass 1'
it_db t75
hash=$(printf '%s\n' "$PASS" | "$top_builddir/mcpgate-passwd") || bail_out "mcpgate-passwd failed"
it_psql "INSERT INTO mcpgate.users (username, password_hash, display_name) VALUES ('demo', '$hash', 'Demo user')" ||
	bail_out "could not create the user"
it_lighttpd

# ---- clients, registered through the real endpoint ------------------------
HOSTILE=$'<img src=x onerror=alert(1)>"\'&'
LONG='Acme Corporation Enterprise Knowledge Assistant for Customer Support Teams (EU) supercalifragilisticexpialidocious-connector-build-2026-01-01-with-a-very-long-suffix'
CB=https://client.example/cb
# register NAME: sets CID
register() {
	local body
	body=$(jq -nc --arg n "$1" --arg cb "$CB" \
		'{redirect_uris: [$cb], client_name: $n, token_endpoint_auth_method: "none"}')
	http POST /mcp/register -H 'Content-Type: application/json' -d "$body"
	CID=$(http_json .client_id)
	if [ "$HTTP_STATUS" != 201 ] || [ -z "$CID" ] || [ "$CID" = null ]; then
		bail_out "registering '$1' failed: $HTTP_STATUS $(cat "$HTTP_BODY")"
	fi
	is "$(http_json .client_name)" "$1" "registered client '$1'"
}
# one client per viewport: consent is remembered per client, and each
# viewport must see a consent page
register 'Example App'; CID_DESKTOP=$CID
register 'Example App'; CID_PHONE=$CID
register "$HOSTILE"; CID_HOSTILE=$CID
register "$LONG"; CID_LONG=$CID

# the authorization URL (PKCE S256 challenge from RFC 7636 appendix B)
Q='response_type=code&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=st-123&scope=mcp%3Aread'
authz() { printf '%s/mcp/authorize?%s&client_id=%s' "$IT_URL" "$Q" "$1"; }
AUTHZ_UNKNOWN="$IT_URL/mcp/authorize?$Q&client_id=unknown"
AUTHZ_BADREDIR=$(authz "$CID_DESKTOP" | sed 's/client\.example%2Fcb/client.example%2Fevil/')

# ---- S-05 and S-16 with curl first (what any browser gets) --------------------
framing() { # NAME: the framing headers of the last response
	like "$(http_header Content-Security-Policy)" "frame-ancestors 'none'" "S-05: $1: CSP frame-ancestors 'none'"
	is "$(http_header X-Frame-Options)" DENY "S-05: $1: X-Frame-Options DENY"
}
JAR=$IT_DIR/cookies
http GET "$(authz "$CID_DESKTOP")" -c "$JAR"
is "$HTTP_STATUS" 200 "curl: login page 200"
framing "login page"
like "$(http_header Content-Type)" '^text/html; charset=utf-8' "login page: text/html; charset=utf-8"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$HTTP_BODY" | head -n 1)
like "$csrf" '^[A-Za-z0-9_-]{43}$' "S-04: the login form carries a CSRF token"
form=(-b "$JAR" -c "$JAR" --data-urlencode step=login --data-urlencode "csrf=$csrf"
	--data-urlencode username=demo --data-urlencode "password=$PASS"
	--data-urlencode response_type=code --data-urlencode "client_id=$CID_DESKTOP"
	--data-urlencode "redirect_uri=$CB" --data-urlencode state=st-123 --data-urlencode scope=mcp:read
	--data-urlencode code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
	--data-urlencode code_challenge_method=S256)
http POST /mcp/authorize "${form[@]/#csrf=*/csrf=wrong}"
is "$HTTP_STATUS" 403 "S-04: a login POST with a wrong CSRF token: 403"
http POST /mcp/authorize "${form[@]}"
is "$HTTP_STATUS" 200 "curl: signed in, consent page 200"
grep -q '<h1>Allow access?</h1>' "$HTTP_BODY"
ok $? "curl: it is the consent page"
framing "consent page"
http GET "$AUTHZ_UNKNOWN"
is "$HTTP_STATUS" 400 "curl: unknown client_id: 400 error page, not a redirect (AZ-04)"
framing "error page"
http GET "$(authz "$CID_HOSTILE")"
is "$HTTP_STATUS" 200 "curl: the hostile client's login page 200"
grep -qF '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;' "$HTTP_BODY"
ok $? "S-16: the hostile client_name is HTML-escaped in the page source"
grep -qi '<img' "$HTTP_BODY"
ok $((!$?)) "S-16: no <img in the page source"
http GET /mcpgate/mcpgate.css
is "$HTTP_STATUS" 200 "the stylesheet is served at /mcpgate/mcpgate.css"
# browsers ignore a stylesheet served as anything but text/css
like "$(http_header Content-Type)" '^text/css' "the stylesheet is served as text/css" ||
	diag "(lighttpd maps no file types unless its configuration has mimetype.assign)"

# ---- the browser -------------------------------------------------------------
RES=$ART/t75-pages.json
diag "running tests/browser/pages.mjs ($("$CHROMIUM" --version 2>/dev/null))"
timeout 600 node "$BROWSER_DIR/pages.mjs" --out "$ART" --chromium "$CHROMIUM" \
	--user demo --password "$PASS" \
	--authorize "desktop=$(authz "$CID_DESKTOP")" --authorize "phone=$(authz "$CID_PHONE")" \
	--client "hostile=$(authz "$CID_HOSTILE")" --client "long=$(authz "$CID_LONG")" \
	--error "error=$AUTHZ_UNKNOWN" --error "error-redirect=$AUTHZ_BADREDIR" \
	>"$RES" 2>"$IT_DIR/pages.err"
rc=$?
is "$rc" 0 "pages.mjs ran to the end" || diag "$(tail -n 30 "$IT_DIR/pages.err")"
jq -e . "$RES" >/dev/null 2>&1 || bail_out "pages.mjs printed no JSON: $(head -c 2000 "$RES") $(tail -n 30 "$IT_DIR/pages.err")"
[ "$(jq -r '.fatal // empty' "$RES")" = "" ] || bail_out "pages.mjs: $(jq -r .fatal "$RES")"
diag "browser $(jq -r .browser "$RES"), playwright-core $(jq -r .playwright "$RES")"

J() { jq -r "$1" "$RES"; }
# none STEP-PATH LIST LABEL: the list at STEP.LIST is empty
none() {
	local n
	n=$(J "$1.$2 | length")
	is "$n" 0 "$3" || diag "$(J "$1.$2")"
}
# common checks of a rendered page at jq path S, for viewport VP
page_checks() {
	local s=$1 vp=$2 what=$3 radius
	none "$s" consoleErrors "$what: no console errors or warnings"
	none "$s" cspConsole "$what: no Content-Security-Policy violation reported"
	none "$s" pageErrors "$what: no page errors"
	is "$(J "$s.counts.script + $s.counts.styleAttributes + $s.counts.styleElements + $s.counts.eventHandlerAttributes")" 0 \
		"$what: no scripts, inline styles or event handlers in the page"
	# (200, or 304 when the browser revalidated its cached copy)
	is "$(J "[$s.subresources[] | select(.url | endswith(\"/mcpgate/mcpgate.css\")) | (if .status == 304 then 200 else .status end | tostring) + \" \" + (.type | split(\";\")[0])] | join(\",\")")" \
		"200 text/css" "$what: mcpgate.css loaded, as text/css"
	is "$(J "[$s.stylesheets[] | select(.rules > 0)] | length")" 1 "$what: the browser parsed mcpgate.css" ||
		diag "$(J "$s.stylesheets")"
	# properties only mcpgate.css sets
	[ "$vp" = phone ] && radius=12px || radius=14px
	is "$(J "$s.style.card[\"max-width\"] + \" \" + $s.style.card[\"border-radius\"] + \" \" + $s.style.body[\"background-color\"]")" \
		"420px $radius rgb(243, 245, 249)" "$what: the stylesheet is applied (card, page background)"
	like "$(J "$s.headers[\"content-security-policy\"]")" "frame-ancestors 'none'" "S-05: $what: frame-ancestors 'none' (as the browser got it)"
	is "$(J "$s.headers[\"x-frame-options\"]")" DENY "S-05: $what: X-Frame-Options DENY (as the browser got it)"
	is "$(J "$s.layout.scrollWidth <= $s.layout.clientWidth")" true "$what: no horizontal scrolling"
	none "$s" layout.overflowing "$what: nothing wider than the screen"
	none "$s" layout.clipped "$what: no text sticking out of its box"
	is "$(J "$s.h1Count")" 1 "$what: one heading"
}
# inputs and buttons: large enough to tap, and inputs >= 16px on a phone
# (smaller text makes phones zoom in on focus)
touch_checks() {
	local s=$1 what=$2
	is "$(J "[$s.inputs[] | select(.box.h < 44)] | length")" 0 "$what: fields at least 44px high" || diag "$(J "$s.inputs")"
	is "$(J "[$s.buttons[] | select(.box.h < 44)] | length")" 0 "$what: buttons at least 44px high" || diag "$(J "$s.buttons")"
	is "$(J "[$s.inputs[] | select((.[\"font-size\"] | rtrimstr(\"px\") | tonumber) < 16)] | length")" 0 "$what: field text at least 16px"
}
# back STEP-PATH CODE?: a redirect to the client with state and iss
back_checks() {
	local s=$1 what=$2
	is "$(J "$s.params.__origin + $s.params.__path")" "$CB" "AZ-12: $what: the browser arrived at the redirect URI"
	is "$(J "$s.params.state")" st-123 "AZ-14: $what: state=st-123"
	is "$(J "$s.params.iss")" "$IT_URL" "AZ-14: $what: iss=<issuer> (RFC 9207)"
}

for vp in desktop phone; do
	M=".viewports.$vp.main"
	[ "$vp" = phone ] && cid=$CID_PHONE || cid=$CID_DESKTOP
	E=$(J "$M.error // empty")
	is "$E" "" "$vp: the sign-in flow ran to the end" || diag "see $ART/failed-main-$vp.png"
	is "$(J ".viewports.$vp.viewport.width")x$(J ".viewports.$vp.viewport.height")" \
		"$([ "$vp" = phone ] && echo 390x844 || echo 1280x800)" "$vp: viewport"

	# -- login page
	S="$M.steps.login"
	is "$(J "$S.status")" 200 "$vp login: 200"
	is "$(J "$S.title")" "Sign in · mcpgate" "$vp login: title"
	is "$(J "$S.h1")" "Sign in" "$vp login: heading 'Sign in'"
	is "$(J "$S.visible.h1")" true "$vp login: the heading is visible"
	is "$(J "$S.client")" "Example App" "$vp login: the client's name is shown"
	like "$(J "$S.lead")" '^Example App wants to connect to mcpgate\.' "$vp login: the sentence around it"
	is "$(J "$S.visible.username"),$(J "$S.visible.password"),$(J "$S.visible.signIn")" true,true,true \
		"$vp login: username and password fields and the Sign in button are visible"
	is "$(J "[$S.inputs[] | .name + \":\" + .type + \":\" + .autocomplete] | join(\" \")")" \
		"username:text:username password:password:current-password" "$vp login: the fields, their types and autocomplete"
	is "$(J "[$S.inputs[] | .labelled] | join(\",\")")" "Username,Password" "$vp login: each field has its label"
	is "$(J "$S.forms | length"):$(J "$S.forms[0].method"):$(J "$S.forms[0].action")" "1:post:/mcp/authorize" \
		"$vp login: one form, POST to /mcp/authorize"
	is "$(J "[$S.forms[0].hidden[] | select(.name == \"csrf\") | .length] | join(\",\")")" 43 \
		"S-04: $vp login: the form carries the CSRF token"
	is "$(J "[$S.forms[0].hidden[] | select(.name == \"state\" or .name == \"client_id\" or .name == \"code_challenge\") | .value] | join(\" \")")" \
		"$cid st-123 E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" "$vp login: the request travels in hidden fields"
	is "$(J "$S.activeElement")" username "$vp login: the username field has the focus"
	is "$(J "$S.style.primary[\"background-color\"]")" "rgb(47, 91, 234)" "$vp login: the Sign in button has the accent colour"
	page_checks "$S" "$vp" "$vp login"
	[ "$vp" = phone ] && touch_checks "$S" "$vp login"

	# -- wrong password
	S="$M.steps.loginWrong"
	is "$(J "$S.status")" 401 "$vp wrong password: 401"
	is "$(J "$S.h1")" "Sign in" "$vp wrong password: the login page again"
	is "$(J "$S.notice")|$(J "$S.noticeClass")|$(J "$S.noticeRole")" "Wrong username or password.|notice error|alert" \
		"$vp wrong password: an error notice (role=alert)"
	is "$(J "[$S.inputs[] | select(.name == \"username\") | .value] | join(\"\")")" demo "$vp wrong password: the username is kept"
	page_checks "$S" "$vp" "$vp wrong password"

	# -- consent page
	S="$M.steps.consent"
	is "$(J "$S.status")" 200 "$vp consent: 200 after signing in"
	is "$(J "$S.h1")" "Allow access?" "$vp consent: heading 'Allow access?'"
	is "$(J "$S.client")" "Example App" "$vp consent: the client's name"
	# (the login name right after signing in, the display name later on:
	# either is fine here)
	like "$(J "$S.lead")" 'You are signed in as (demo|Demo user)\.' "$vp consent: who is signed in"
	is "$(J "$S.scopes | join(\"|\")")" "Search and read the documents you have access to" "$vp consent: the scope in words"
	is "$(J "$S.host")" client.example "$vp consent: where the answer goes (client.example)"
	is "$(J "$S.visible.allow"),$(J "$S.visible.deny")" true,true "$vp consent: Allow and Deny buttons are visible"
	is "$(J "[$S.buttons[] | .text + \"=\" + .value] | join(\" \")")" "Deny=deny Allow=approve" "$vp consent: the buttons' values"
	is "$(J "[$S.forms[0].hidden[] | select(.name == \"csrf\") | .length] | join(\",\")")" 43 \
		"S-04: $vp consent: the form carries the CSRF token"
	is "$(J "$S.notice // \"\"")" "" "$vp consent: no localhost warning for an https client"
	page_checks "$S" "$vp" "$vp consent"
	deny_y=$(J "$S.buttons[0].box.y") allow_y=$(J "$S.buttons[1].box.y")
	deny_x=$(J "$S.buttons[0].box.x") allow_x=$(J "$S.buttons[1].box.x")
	if [ "$vp" = phone ]; then
		touch_checks "$S" "$vp consent"
		ok "$((allow_y < deny_y ? 0 : 1))" "$vp consent: buttons stacked, Allow above Deny" ||
			diag "Allow y=$allow_y, Deny y=$deny_y"
		is "$(J "$S.buttons[0].box.w == $S.buttons[1].box.w")" true "$vp consent: the buttons are as wide as each other"
	else
		ok "$((allow_y == deny_y && allow_x > deny_x ? 0 : 1))" "$vp consent: buttons side by side, Allow on the right" ||
			diag "Allow ($allow_x,$allow_y), Deny ($deny_x,$deny_y)"
	fi

	# -- Deny, then the consent page again (session kept), then Allow
	S="$M.steps.deny"
	is "$(J "$S.status")" 303 "AZ-12: $vp Deny: 303 (after a POST)"
	back_checks "$S" "$vp Deny"
	is "$(J "$S.params.error")" access_denied "$vp Deny: error=access_denied"
	is "$(J "$S.params.code // \"\"")" "" "$vp Deny: no code"
	none "$S" console "$vp Deny: nothing in the console (form-action allows the redirect)"
	S="$M.steps.consentAgain"
	is "$(J "$S.status"):$(J "$S.h1")" "200:Allow access?" "$vp: after Deny, the same URL shows the consent page again (signed in)"
	S="$M.steps.allow"
	is "$(J "$S.status")" 303 "AZ-12: $vp Allow: 303 (after a POST)"
	is "$(J "$S.location")" "$(J "$S.arrivedAt")" "$vp Allow: the browser followed the Location"
	back_checks "$S" "$vp Allow"
	like "$(J "$S.params.code")" '^[A-Za-z0-9_-]{43}$' "AZ-12: $vp Allow: a code"
	is "$(J "$S.params.error // \"\"")" "" "$vp Allow: no error"
	none "$S" console "$vp Allow: nothing in the console (form-action allows the redirect)"
	code1=$(J "$S.params.code")
	S="$M.steps.remembered"
	is "$(J "$S.status")" 302 "$vp: consent remembered: straight back with a 302 (after a GET)"
	back_checks "$S" "$vp remembered consent"
	like "$(J "$S.params.code")" '^[A-Za-z0-9_-]{43}$' "$vp remembered consent: a code"
	isnt "$(J "$S.params.code")" "$code1" "$vp remembered consent: a new code"

	# -- error pages: never a redirect, no form
	for e in error error-redirect; do
		S="$M.steps[\"$e\"]"
		is "$(J "$S.status")" 400 "$vp $e: 400"
		like "$(J "$S.url")" "^$IT_URL/" "AZ-04: $vp $e: the browser stayed on the server (no redirect)"
		is "$(J "$S.h1")" "This request cannot be completed" "$vp $e: heading"
		is "$(J "$S.forms | length")" 0 "$vp $e: no form"
		like "$(J "$S.fine")" 'Go back to the application' "$vp $e: what to do next"
		page_checks "$S" "$vp" "$vp $e"
	done
	like "$(J "$M.steps.error.lead")" 'not registered here' "$vp error: unknown client: 'not registered here'"
	like "$(J "$M.steps[\"error-redirect\"].lead")" 'did not register' "$vp error-redirect: 'an address it did not register'"
	is "$(J "[$M.callbacks[] | select(.type == \"Document\") | .url | select(startswith(\"$CB?\"))] | length")" 3 \
		"$vp: three navigations to the redirect URI (Deny, Allow, remembered)" || diag "$(J "$M.callbacks")"
	is "$(J "[$M.callbacks[] | select(.type == \"Document\") | .url | select(startswith(\"$CB?\") | not)] | length")" 0 \
		"$vp: the browser went nowhere else" || diag "$(J "$M.callbacks")"

	# -- client names shown literally, JavaScript on (S-16)
	C=".viewports.$vp.clients"
	is "$(J "$C.error // empty")" "" "$vp clients: ran to the end" || diag "see $ART/failed-clients-$vp.png"
	for p in hostileLogin hostileConsent longLogin longConsent; do
		S="$C.steps.$p"
		case $p in
		hostile*) want=$HOSTILE ;;
		*) want=$LONG ;;
		esac
		case $p in
		*Login) h=Sign\ in ;;
		*) h="Allow access?" ;;
		esac
		is "$(J "$S.status"):$(J "$S.h1")" "200:$h" "$vp $p: the page"
		is "$(J "$S.client")" "$want" "S-16: $vp $p: the name shown literally, as text"
		is "$(J "$S.clientChildElements")" 0 "S-16: $vp $p: no elements inside the name"
		is "$(J "$S.counts.img")" 0 "S-16: $vp $p: no <img> element was created"
		none "$S" dialogs "S-16: $vp $p: no dialog"
		none "$S" cspEvents "$vp $p: no securitypolicyviolation event"
		page_checks "$S" "$vp" "$vp $p"
	done
done

diag "screenshots: $ART/*-desktop.png $ART/*-phone.png; results: $RES"
done_testing
