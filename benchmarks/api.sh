#!/usr/bin/env bash
# Requests per second of the JSON API (list and create) under gunicorn -w 2, with wrk.
#
#   createdb … && SUPPORTDESK_DATABASE_URL=postgresql://…/bench flask --app supportdesk db upgrade
#   flask --app supportdesk seed-demo --tickets 100000 --seed 1
#   SUPPORTDESK_DATABASE_URL=postgresql://…/bench benchmarks/api.sh [seconds] [connections]
#
# Needs wrk (apt-get install wrk). Uses the demo admin (admin@acme-support.example) for the token, turns
# the per-token rate limit off for the run, and prints wrk's summary for each endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-20}
CONNECTIONS=${2:-20}
PORT=${PORT:-8606}
BIN=${BIN:-.venv/bin}
: "${SUPPORTDESK_DATABASE_URL:?set SUPPORTDESK_DATABASE_URL to the seeded database}"
export SUPPORTDESK_DATABASE_URL SUPPORTDESK_API_RATE_LIMIT=1000000000
export SUPPORTDESK_SECRET_KEY=${SUPPORTDESK_SECRET_KEY:-benchmark}

TOKEN=$("$BIN/flask" --app supportdesk create-token --email admin@acme-support.example \
  --scope read-write --name "benchmark $(date +%s)" 2>/dev/null)
export TOKEN

"$BIN/gunicorn" -w 2 --no-control-socket --bind "127.0.0.1:$PORT" --log-level warning wsgi:app &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" | grep -q '"openapi"' && break
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn did not start (port $PORT busy?)" >&2; exit 1; }
  sleep 0.2
done

BASE="http://127.0.0.1:$PORT"
list() {
  QUERY=$1 wrk -t2 -c"$CONNECTIONS" -d"$2" --latency -s benchmarks/list_tickets.lua "$BASE"
}
echo "== warm-up"
list "limit=25" 3s >/dev/null
echo "== GET /api/v1/tickets?limit=25 (${DURATION}s, ${CONNECTIONS} connections)"
list "limit=25" "${DURATION}s"
echo "== GET /api/v1/tickets?status=open&priority=high&limit=25"
list "status=open&priority=high&limit=25" "${DURATION}s"
echo "== POST /api/v1/tickets (${DURATION}s, ${CONNECTIONS} connections)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s benchmarks/create_ticket.lua "$BASE"
