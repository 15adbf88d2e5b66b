-- wrk script of `make bench-tiles`: requests the paths listed in $TILE_LIST in order (each
-- thread starts at its own offset and cycles), then prints one RESULT line.
local paths = {}
for line in io.lines(os.getenv("TILE_LIST")) do
  if #line > 0 then paths[#paths + 1] = line end
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  position = math.floor(id * #paths / 2)
  bad = 0
end

function request()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1], {["Accept-Encoding"] = "gzip"})
end

function response(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  for _, thread in ipairs(threads) do errors = errors + thread:get("bad") end
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
end
