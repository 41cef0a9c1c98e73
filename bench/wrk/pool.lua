-- bench/wrk/pool.lua: a different body for every request, taken from a
-- file of pre-made bodies (bench/run.sh: refresh tokens and authorization
-- codes that work once each). Set from the environment:
--   BENCH_METHOD      POST (default)
--   BENCH_HEADERS     "Name: value" lines, separated by newlines
--   BENCH_POOL_FILE   one body a line
--   BENCH_POOL_START  index (0-based) of the first line this run may use
--   BENCH_THREADS     wrk's -t
-- Thread t (0-based) of T sends lines START + t, START + t + T,
-- START + t + 2T, ... so that no line goes out twice, across threads and,
-- with START moved on, across runs. When a thread runs out of lines it
-- sends the body "pool-exhausted", which the server refuses (non-2xx):
-- such a run is not valid, and done() says how many went out.
-- done() prints two lines for the harness:
--   pool_next N       the START for the next run (START + T * most used)
--   pool_exhausted N  requests sent without a fresh line
wrk.method = os.getenv("BENCH_METHOD") or "POST"
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
	local k, v = line:match("^([^:]+):%s*(.-)%s*$")
	if k ~= nil then
		wrk.headers[k] = v
	end
end

local start = tonumber(os.getenv("BENCH_POOL_START") or "0")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

-- main state: number the threads
local threads = {}
local made = 0
function setup(thread)
	thread:set("tid", made)
	made = made + 1
	table.insert(threads, thread)
end

-- thread state
local bodies = {}
local k = 0
used = 0
exhausted = 0

function init(args)
	local i, n = 0, 0
	local f = assert(io.open(os.getenv("BENCH_POOL_FILE"), "rb"))
	for line in f:lines() do
		if i >= start and (i - start) % nthreads == tid then
			n = n + 1
			bodies[n] = line
		end
		i = i + 1
	end
	f:close()
end

function request()
	k = k + 1
	used = k
	local b = bodies[k]
	if b == nil then
		exhausted = exhausted + 1
		b = "pool-exhausted"
	end
	return wrk.format(nil, nil, nil, b)
end

function done(summary, latency, requests)
	local most, short = 0, 0
	for _, t in ipairs(threads) do
		local u = t:get("used") or 0
		if u > most then most = u end
		short = short + (t:get("exhausted") or 0)
	end
	io.write(string.format("pool_next %d\npool_exhausted %d\n", start + nthreads * most, short))
end
