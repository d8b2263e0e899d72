#!/usr/bin/env bash
# The test suite, in release mode (numeric tests are far too slow in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
