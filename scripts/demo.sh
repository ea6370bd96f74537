#!/usr/bin/env bash
# The main job on the embedded default: builds if needed, then runs the example ETRM pipeline
# into ./lake (SQLite catalog lake/catalog.db, table trading.trade_events) and shows the result.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
./build/bin/tradeflow run examples/etrm_pipeline.yaml
echo
echo "== snapshots of trading.trade_events"
./build/bin/tradeflow snapshots trading.trade_events
echo "== first row"
./build/bin/tradeflow show trading.trade_events --limit 1 \
  --columns trade_uid,source_version,action,trade_date,execution_time,direction,product
