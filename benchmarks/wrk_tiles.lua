-- wrk script of `make bench-tiles`: requests the paths listed in $TILE_LIST in order (each
-- thread starts at its own offset and cycles), then prints one RESULT line; each failed
-- response goes to stderr with its status and body.
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
end

function request()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1], {["Accept-Encoding"] = "gzip"})
end

function response(status, headers, body)
  if status >= 400 then
    io.stderr:write(string.format("%d %s\n", status, string.sub(body, 1, 200)))
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
end
