#!/usr/bin/env bash
# Installs everything tradeflow needs on a fresh Debian 12 machine. Safe and fast to re-run:
# each step checks whether its work is already done.
#   - Debian -dev packages for the C++ core and its tests
#   - .venv/ with the pinned Python packages (requirements.txt); pyarrow's bundled Arrow C++
#     and Parquet libraries are the project's Arrow unless CMake finds a system Arrow.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3 libpq-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev zlib1g-dev libxxhash-dev libjemalloc-dev libexpat1-dev libsimdjson-dev libssl-dev librdkafka-dev libcpp-httplib-dev
  libhowardhinnant-date-dev libpcre2-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned Python packages (requirements.txt)"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
echo "setup: ok"
