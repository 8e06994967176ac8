#!/usr/bin/env bash
# The scaled set-up on one machine, Procfile-style: a local Redis, one district engine, two gateways.
#   npm run scaled            # redis on 6380, engine on 8090 (/healthz, /metrics only), gateways on 8081 and 8082
#   STANDBY_ENGINE_PORT=8091 npm run scaled   # plus a standby engine that takes over if the first one dies
# Every process gets the same settings (SIMULATOR, TICK_MS, STALE_AFTER_S, HISTORY_DAYS, INGEST_TOKEN, DATASET_DIR …);
# pass them in the environment. Ctrl-C stops all of them. See README "Scaled set-up".
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_PORT="${REDIS_PORT:-6380}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}}"
export DATA_DIR="${DATA_DIR:-$PWD/var}"   # the engine writes history here; on one machine the gateways read it too
mkdir -p "$DATA_DIR"

pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap stop EXIT INT TERM

if [[ -z "${SKIP_REDIS:-}" ]]; then
  # the append-only file keeps the presenter groups and the limit windows across a Redis restart (up to the last second)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --dir "$DATA_DIR" &
  pids+=($!)
fi
[[ -f dist/client/index.html ]] || npx vite build
ROLE=engine  PORT="${ENGINE_PORT:-8090}"    npx tsx server/src/main.ts & pids+=($!)
if [[ -n "${STANDBY_ENGINE_PORT:-}" ]]; then
  ROLE=engine PORT="$STANDBY_ENGINE_PORT" npx tsx server/src/main.ts & pids+=($!)
fi
ROLE=gateway PORT="${GATEWAY_A_PORT:-8081}" npx tsx server/src/main.ts & pids+=($!)
ROLE=gateway PORT="${GATEWAY_B_PORT:-8082}" npx tsx server/src/main.ts & pids+=($!)
wait -n
