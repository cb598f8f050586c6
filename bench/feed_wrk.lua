-- wrk script for bench/feed.sh: prints wrk's summary as one line that the
-- shell can read (latencies in microseconds). errors.status counts answers
-- with a status above 399; connect/read/write/timeout are socket errors.
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"FEED_WRK requests=%d duration_us=%d bytes=%d p50_us=%d " ..
		"p90_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d " ..
		"status=%d timeout=%d\n",
		summary.requests, summary.duration, summary.bytes,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, e.connect, e.read, e.write,
		e.status, e.timeout))
end
