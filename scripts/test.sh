#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite in two passes. The multi-process storage-network
# suite starts ~10 daemons with seconds-scale timers; run alongside the in-process transport and
# interop suites on a 2-core machine it starves their one-second keep-alive and lookup deadlines, so
# it runs on its own after them.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
status=0
swift test --skip-build --skip StorageNetworkTests "$@" || status=$?
swift test --skip-build --filter StorageNetworkTests "$@" || status=$?
exit "$status"
