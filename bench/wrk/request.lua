-- bench/wrk/request.lua: one fixed request for every connection (bench/run.sh).
-- Set from the environment, once, so that wrk builds the request a single
-- time and runs no Lua per request:
--   BENCH_METHOD      GET or POST (default GET)
--   BENCH_BODY_FILE   file whose bytes are the body (wrk adds Content-Length)
--   BENCH_HEADERS     "Name: value" lines, separated by newlines
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_BODY_FILE")
if path ~= nil and path ~= "" then
	local f = assert(io.open(path, "rb"))
	wrk.body = f:read("*a")
	f:close()
end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
	local k, v = line:match("^([^:]+):%s*(.-)%s*$")
	if k ~= nil then
		wrk.headers[k] = v
	end
end
