-- wrk script for bench/feed.sh's "everyone subscribed" run: each request
-- asks for the next feed path in the file given after `--`, each thread
-- starting at its own share of the list, so nearly every request is for a
-- feed not asked for lately (a cache miss unless the cache holds them all).
-- The summary line is feed_wrk.lua's.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "feed_wrk.lua")

local threads = 0
function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
	thread:set("threads", threads)
end

local paths, next_path = {}, 1
function init(args)
	for line in io.lines(args[1]) do
		paths[#paths + 1] = line
	end
	local share = math.floor(#paths / 8)
	next_path = 1 + (id or 0) * share
end

function request()
	local path = paths[next_path]
	next_path = next_path % #paths + 1
	return wrk.format("GET", path)
end
