#!/usr/bin/env bash
# The whole test suite: set-up, build, unit tests (ctest/GoogleTest), then integration tests
# (pytest, reading our output with pyiceberg, pyarrow, duckdb and fastavro). Fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh || exit 1

status=0
echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)" || status=1

echo "== integration tests (pytest)"
TRADEFLOW_BIN="$PWD/build/bin/tradeflow" .venv/bin/python -m pytest tests/integration -q || status=1
exit $status
