-- wrk script for bench/ingest.ts --wrk: round-robin over many signed sessions, each with its own
-- increasing seq and its own page token, each window following the previous one (t0 = seq * 5000),
-- so the same session's posts are far apart and arrive in order.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  pages = {}
  for line in io.lines(os.getenv("GUARD_BENCH_COOKIES")) do
    local t, c, p = line:match("^(%d+) (%S+) (%S+)$")
    if tonumber(t) == tid then
      table.insert(cookies, c)
      table.insert(pages, p)
    end
  end
  seqs = {}
  for i = 1, #cookies do seqs[i] = 0 end
  template = io.open(os.getenv("GUARD_BENCH_BODY")):read("*a")
  i = 0
  statuses = {}
end

function request()
  i = i % #cookies + 1
  seqs[i] = seqs[i] + 1
  local s = seqs[i]
  local body = template:gsub('"seq":0', '"seq":' .. s, 1)
  body = body:gsub('"PAGE"', '"' .. pages[i] .. '"', 1)
  body = body:gsub('"t0":0,"t1":4999', '"t0":' .. (s * 5000) .. ',"t1":' .. (s * 5000 + 4999), 1)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Cookie"] = cookies[i] }, body)
end

function response(status)
  if status ~= 200 then
    statuses[status] = (statuses[status] or 0) + 1
  end
end
