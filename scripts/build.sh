#!/usr/bin/env bash
# Set-up (idempotent) and an incremental build into build/. The binary is build/bin/tradeflow.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ ! -f build/build.ninja ]; then
  cmake --preset default >/dev/null
fi
cmake --build build -j "$(nproc)"
