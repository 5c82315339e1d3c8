-- wrk script: POST /api/v1/tickets with a fresh subject each time (token in $TOKEN).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"subject":"Benchmark ticket %d","body":"Created by the API benchmark.",' ..
    '"customer_email":"bench%d@example.com","priority":"medium","tags":["benchmark"]}',
    counter, counter % 500)
  return wrk.format(nil, "/api/v1/tickets", nil, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("non-2xx or socket errors: %d\n", errors))
end
